"""fakeaws_sigv4.py - AWS Signature Version 4 in plain Python (the signer
and verifier of fakeaws.py; test_fakeaws.py checks it byte for byte against
AWS's test suite and the service vectors in tests/data).
Standard library only."""

import hashlib
import hmac
import re
import time
import urllib.parse



def sigv4_uri_encode(s, keep_slash=False):
    """RFC 3986 encoding as SigV4 wants it (unreserved kept, %XX upper)."""
    return urllib.parse.quote(s, safe="-_.~" + ("/" if keep_slash else ""))


def sigv4_normalize_path(path):
    """RFC 3986 dot-segment removal and '//' collapsing (not for S3)."""
    if not path:
        return "/"
    out = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    res = "/" + "/".join(out)
    if path.endswith("/") and res != "/":
        res += "/"
    return res


def sigv4_canonical_query(query):
    """Decode, re-encode and sort (by key, then value) a raw query."""
    if not query:
        return ""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        pairs.append((sigv4_uri_encode(urllib.parse.unquote(k)),
                      sigv4_uri_encode(urllib.parse.unquote(v))))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


def sigv4_canonical_request(method, path, query, headers, signed, body,
                            normalize=True):
    """The canonical request. headers: [(name, value)] as sent (repeats
    allowed); signed: lower-case names to include; body: bytes (or a hex
    payload hash when given as a 64-char str, or "UNSIGNED-PAYLOAD")."""
    if isinstance(body, str) and (re.fullmatch(r"[0-9a-f]{64}", body) or
                                  body == "UNSIGNED-PAYLOAD"):
        payload = body
    else:
        payload = hashlib.sha256(body or b"").hexdigest()
    p = sigv4_normalize_path(path) if normalize else (path or "/")
    vals = {}
    for n, v in headers:
        vals.setdefault(n.strip().lower(), []).append(
            re.sub(r"\s+", " ", str(v).strip()))
    names = sorted(signed)
    lines = [method.upper(), sigv4_uri_encode(p, keep_slash=True),
             sigv4_canonical_query(query)]
    lines += ["%s:%s" % (n, ",".join(vals.get(n, []))) for n in names]
    lines += ["", ";".join(names), payload]
    return "\n".join(lines)


def sigv4_string_to_sign(amz_date, scope, creq):
    return "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                      hashlib.sha256(creq.encode()).hexdigest()])


def sigv4_signing_key(secret, date, region, service):
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def sigv4_sign(method, path, query, headers, body, access_key, secret,
               region, service, amz_date, normalize=True):
    """Sign a request whose headers [(name, value)] are all signed (host and
    x-amz-date among them; x-amz-security-token too for temporary keys).
    Returns {canonical_request, string_to_sign, signed_headers, signature,
    authorization}."""
    signed = sorted({n.strip().lower() for n, _ in headers})
    creq = sigv4_canonical_request(method, path, query, headers, signed,
                                   body, normalize)
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    sts = sigv4_string_to_sign(amz_date, scope, creq)
    key = sigv4_signing_key(secret, amz_date[:8], region, service)
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    sh = ";".join(signed)
    return {"canonical_request": creq, "string_to_sign": sts,
            "signed_headers": sh, "signature": sig,
            "authorization": "AWS4-HMAC-SHA256 Credential=%s/%s, "
                             "SignedHeaders=%s, Signature=%s"
                             % (access_key, scope, sh, sig)}


def parse_authorization(value):
    """{access_key, date, region, service, terminator, signed_headers [..],
    signature} of an AWS4-HMAC-SHA256 Authorization value, or None."""
    m = re.match(r"^AWS4-HMAC-SHA256\s+(.+)$", value or "")
    if not m:
        return None
    parts = {}
    for p in m.group(1).split(","):
        k, eq, v = p.strip().partition("=")
        if not eq:
            return None
        parts[k.strip()] = v.strip()
    try:
        akid, date, region, service, term = parts["Credential"].split("/")
        return {"access_key": akid, "date": date, "region": region,
                "service": service, "terminator": term,
                "signed_headers": parts["SignedHeaders"].split(";"),
                "signature": parts["Signature"]}
    except (KeyError, ValueError):
        return None


def amz_date(t=None):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(
        time.time() if t is None else t))
