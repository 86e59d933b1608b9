"""fakeaws_state.py - the state behind fakeaws.py: accounts, regions and the
helpers that seed them. Standard library only.

Everything is plain dicts with snake_case keys so a test can read (and,
with care, poke) them directly: fake.account(A).region(R).instances[ID].
Regional services (ec2, rds, monitoring, cloudtrail) live in Region;
global ones (iam roles/instance profiles, route53, cloudfront) in Account.

Times are epoch seconds (floats) everywhere in the state.
"""

import calendar
import datetime
import functools
import json
import re
import time

DEFAULT_TIME = 1714550400.0                 # 2024-05-01T08:00:00Z


# ---- small helpers shared with the services -----------------------------

def parse_time(v):
    """Epoch seconds from an epoch number, a numeric string, a datetime or
    an ISO 8601 string ("2024-05-01T08:00:00Z", with optional fraction
    and +HH:MM offset). ValueError when it is none of those."""
    if v is None:
        raise ValueError("no time")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return v.timestamp()
    s = str(v).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", s):
        return float(s)
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)"
                     r"(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?", s)
    if not m:
        raise ValueError("not a time: %r" % s)
    y, mo, d, hh, mi, ss, frac, tz = m.groups()
    t = calendar.timegm((int(y), int(mo), int(d), int(hh or 0), int(mi or 0),
                         int(ss or 0), 0, 0, 0))
    if frac:
        t += float(frac)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        tz = tz[1:].replace(":", "")
        t -= sign * (int(tz[:2]) * 3600 + int(tz[2:]) * 60)
    return float(t)


def iso(t, ms=True):
    """2024-05-01T08:00:00.000Z (ms=True) or 2024-05-01T08:00:00Z."""
    t = float(t)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t)))
    if ms:
        return "%s.%03dZ" % (base, int(round((t - int(t)) * 1000)) % 1000)
    return base + "Z"


def tag_dict(tags):
    """{key: value} from a dict, a list of (key, value) or of
    {"Key":..,"Value":..} / {"key":..,"value":..}; None -> {}."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    out = {}
    for t in tags:
        if isinstance(t, dict):
            k = t.get("Key", t.get("key"))
            v = t.get("Value", t.get("value", ""))
        else:
            k, v = t
        out[str(k)] = "" if v is None else str(v)
    return out


def norm_dns(name):
    """Route 53's stored form of a name: lower case, trailing dot, '*'
    kept as '*' (rendered as \\052 on output), other escapes decoded."""
    n = str(name).strip().lower()
    n = re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1), 8)), n)
    if not n.endswith("."):
        n += "."
    return n


RESOURCE_TYPES = (("i-", "AWS::EC2::Instance"), ("vol-", "AWS::EC2::Volume"),
                  ("snap-", "AWS::EC2::Snapshot"),
                  ("sg-", "AWS::EC2::SecurityGroup"),
                  ("eipalloc-", "AWS::EC2::EIP"),
                  ("arn:aws:rds:", "AWS::RDS::DBInstance"),
                  ("Z", "AWS::Route53::HostedZone"))


def guess_resource_type(name):
    for prefix, typ in RESOURCE_TYPES:
        if str(name).startswith(prefix):
            return typ
    return "AWS::Unknown"


def locked(fn):
    """Run a seeding helper under the fake's lock (tests may seed while
    the server thread answers fixitd)."""
    @functools.wraps(fn)
    def wrapper(self, *a, **kw):
        fake = self.fake if isinstance(self, Account) else self.account.fake
        with fake._lock:
            return fn(self, *a, **kw)
    return wrapper


# ---- accounts -------------------------------------------------------------

class Account:
    """One AWS account: roles, IAM, Route 53, CloudFront and its regions.

    Attributes (read freely in tests):
      id                  "123456789012"
      roles               {name: role}; role = {name, arn, id, path,
                          external_id, max_session, policies {name: JSON
                          text}, attached [policy arns], create_time}
      instance_profiles   {name: {name, id, arn, path, roles [role names],
                          create_time}}
      zones               {zone id: zone}; zone = {id, name, caller_reference,
                          comment, private, records [rrset], tags {k: v},
                          vpcs [{region, id}] (private zones)}
                          rrset = {name, type, ttl, values [..], alias
                          None|{hosted_zone_id, dns_name,
                          evaluate_target_health}, set_identifier, weight}
      distributions       {id: {id, arn, domain_name, status, enabled,
                          comment, aliases [..], origins [{id, domain_name,
                          origin_path, s3}], last_modified}}
      regions             {name: Region}
    """

    def __init__(self, fake, account_id):
        self.fake = fake
        self.id = str(account_id)
        self.roles = {}
        self.instance_profiles = {}
        self.zones = {}
        self.distributions = {}
        self.changes = {}                   # route53 change id -> info
        self.regions = {}
        self.buckets = {}                   # S3 name -> {name, region}

    def __deepcopy__(self, memo):
        # the fake (server, locks) is shared, everything else is copied
        import copy
        new = Account.__new__(Account)
        memo[id(self)] = new
        for k, v in self.__dict__.items():
            setattr(new, k, v if k == "fake" else copy.deepcopy(v, memo))
        return new

    @locked
    def region(self, name):
        """The Region object for `name` (created empty on first use)."""
        r = self.regions.get(name)
        if r is None:
            r = self.regions[name] = Region(self, name)
        return r

    def _id(self, prefix, width=17, alphabet="hex"):
        return self.fake._new_id(prefix, width, alphabet)

    # ---- IAM / STS ------------------------------------------------------
    @locked
    def add_role(self, name, external_id=None, max_session=3600, path="/",
                 policies=None, attached=()):
        """A role that sts:AssumeRole may assume (ExternalId must equal
        `external_id` when one is set) and IAM knows. `policies` maps inline
        policy names to documents (dict or JSON text). Returns the role."""
        role = self.roles.get(name)
        if role is None:
            role = self.roles[name] = {
                "name": name, "path": path,
                "arn": "arn:aws:iam::%s:role%s%s" % (self.id, path, name),
                "id": self._id("AROA", 17, "upper"),
                "external_id": None, "max_session": int(max_session),
                "policies": {}, "attached": [],
                "create_time": DEFAULT_TIME}
        role["external_id"] = external_id
        role["max_session"] = int(max_session)
        for pname, doc in (policies or {}).items():
            self.put_role_policy(name, pname, doc)
        for arn in attached:
            if arn not in role["attached"]:
                role["attached"].append(arn)
        return role

    @locked
    def put_role_policy(self, role, name, document):
        if role not in self.roles:
            self.add_role(role)
        if not isinstance(document, str):
            document = json.dumps(document)
        self.roles[role]["policies"][name] = document

    @locked
    def add_instance_profile(self, name, roles=(), profile_id=None):
        """An instance profile holding `roles` (role names; missing roles are
        created). Returns the profile dict {name, id, arn, roles, ...}."""
        for r in roles:
            if r not in self.roles:
                self.add_role(r)
        p = self.instance_profiles.get(name)
        if p is None:
            p = self.instance_profiles[name] = {
                "name": name, "path": "/",
                "id": profile_id or self._id("AIPA", 17, "upper"),
                "arn": "arn:aws:iam::%s:instance-profile/%s" % (self.id, name),
                "roles": [], "create_time": DEFAULT_TIME}
        for r in roles:
            if r not in p["roles"]:
                p["roles"].append(r)
        return p

    # ---- Route 53 --------------------------------------------------------
    @locked
    def add_zone(self, name, zone_id=None, private=False, comment=None,
                 caller_reference=None, records=(), tags=None, vpcs=()):
        """A hosted zone with its NS and SOA records, then `records` (each a
        dict of add_record's keyword arguments); a private zone's `vpcs`
        ({region, id} each). Returns the zone id (without
        "/hostedzone/")."""
        zid = zone_id or self._id("Z", 13, "upper")
        zname = norm_dns(name)
        ns = ["ns-%d.awsdns-%02d.%s" % (n, n % 64, tld) for n, tld in
              ((2048, "com."), (2049, "net."), (2050, "org."),
               (2051, "co.uk."))]
        self.zones[zid] = {
            "id": zid, "name": zname,
            "caller_reference": caller_reference or "seed-%s" % zid,
            "comment": comment, "private": bool(private), "records": [],
            "tags": tag_dict(tags), "name_servers": ns,
            "vpcs": [{"region": v["region"], "id": v["id"]} for v in vpcs]}
        self.add_record(zid, zname, "NS", ns, ttl=172800)
        self.add_record(zid, zname, "SOA",
                        ["%s hostmaster.%s 1 7200 900 1209600 86400"
                         % (ns[0], zname.rstrip(".") + ".")], ttl=900)
        for r in records:
            self.add_record(zid, **r)
        return zid

    @locked
    def add_record(self, zone_id, name, type, values=(), ttl=300, alias=None,
                   set_identifier=None, weight=None):
        """A record set in zone `zone_id`: plain (`values`, `ttl`) or alias
        (`alias` = target DNS name, or a dict {dns_name, hosted_zone_id,
        evaluate_target_health}). Returns the rrset dict."""
        z = self.zones[zone_id]
        rr = {"name": norm_dns(name), "type": type.upper(),
              "ttl": None if alias else int(ttl),
              "values": [] if alias else [str(v) for v in values],
              "alias": None, "set_identifier": set_identifier,
              "weight": weight}
        if alias:
            if isinstance(alias, str):
                alias = {"dns_name": alias}
            rr["alias"] = {
                "dns_name": norm_dns(alias["dns_name"]),
                "hosted_zone_id": alias.get("hosted_zone_id",
                                            "Z35SXDOTRQ7X7K"),
                "evaluate_target_health":
                    bool(alias.get("evaluate_target_health", False))}
        z["records"].append(rr)
        return rr

    def records(self, zone_id):
        return list(self.zones[zone_id]["records"])

    def find_record(self, zone_id, name, type):
        """The rrset dict for (name, type) in the zone, or None."""
        n, t = norm_dns(name), type.upper()
        for r in self.zones[zone_id]["records"]:
            if r["name"] == n and r["type"] == t:
                return r
        return None

    # ---- S3 ------------------------------------------------------------------
    @locked
    def add_bucket(self, name, region="us-east-1"):
        """An S3 bucket this account owns (names are global: HeadBucket
        looks in every account)."""
        self.buckets[name] = {"name": name, "region": region}
        return name

    # ---- CloudFront --------------------------------------------------------
    @locked
    def add_distribution(self, dist_id=None, domain_name=None,
                         origins=("myawsbucket.s3.amazonaws.com",),
                         aliases=(), enabled=True, status="Deployed",
                         comment=""):
        """A distribution; `origins` are domain names or dicts {id,
        domain_name, origin_path, s3}. Returns the id."""
        did = dist_id or self._id("E", 13, "upper")
        outs = []
        for i, o in enumerate(origins):
            if isinstance(o, str):
                o = {"domain_name": o}
            dn = o["domain_name"]
            outs.append({"id": o.get("id", "origin-%d" % (i + 1)),
                         "domain_name": dn,
                         "origin_path": o.get("origin_path", ""),
                         "s3": o.get("s3", ".s3." in dn or
                                     dn.endswith(".s3.amazonaws.com"))})
        self.distributions[did] = {
            "id": did,
            "arn": "arn:aws:cloudfront::%s:distribution/%s" % (self.id, did),
            "domain_name": domain_name or "d%s.cloudfront.net"
                           % did.lower()[1:],
            "status": status, "enabled": bool(enabled), "comment": comment,
            "aliases": list(aliases), "origins": outs,
            "last_modified": DEFAULT_TIME}
        return did


# ---- regions ----------------------------------------------------------------

STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32,
               "terminated": 48, "stopping": 64, "stopped": 80}


def rule(protocol="-1", from_port=None, to_port=None, cidr=None,
         cidr_ipv6=None, group_id=None, description=None):
    """One security group rule (one source/destination) as stored."""
    protocol = str(protocol).lower()
    protocol = {"all": "-1", "6": "tcp", "17": "udp", "1": "icmp"}.get(
        protocol, protocol)
    if protocol == "-1":
        from_port = to_port = None
    return {"protocol": protocol,
            "from_port": None if from_port is None else int(from_port),
            "to_port": None if to_port is None else int(to_port),
            "cidr": cidr, "cidr_ipv6": cidr_ipv6, "group_id": group_id,
            "description": description}


def same_rule(a, b):
    keys = ("protocol", "from_port", "to_port", "cidr", "cidr_ipv6",
            "group_id")
    return all(a[k] == b[k] for k in keys)


class Region:
    """One account's state in one region.

    Attributes (dicts keyed by id, in insertion order):
      instances        {id: {id, image_id, type, state, launch_time, az,
                       subnet_id, vpc_id, private_ip, groups [sg ids], tags,
                       profile None|{arn, id}, reservation_id, metadata
                       {http_tokens, http_endpoint, hop_limit,
                       http_protocol_ipv6, instance_metadata_tags}}}
      volumes          {id: {id, size, snapshot_id, az, status, create_time,
                       attachments [{instance_id, device, state,
                       attach_time, delete_on_termination}], tags,
                       volume_type, iops, encrypted, polls}}
      snapshots        {id: {id, volume_id, status, start_time, size,
                       description, encrypted, tags, polls}}
      addresses        {allocation id: {allocation_id, public_ip, domain,
                       instance_id, association_id, network_interface_id,
                       private_ip, tags}}
      security_groups  {id: {id, name, description, vpc_id, tags,
                       rules [{rule_id, egress, protocol, from_port,
                       to_port, cidr, cidr_ipv6, group_id, description}]}}
      db_instances     {identifier: {id, arn, engine, status, ..., tags,
                       polls}}
      db_snapshots     {identifier: {id, arn, db_instance, status, ...,
                       tags, polls}}
      db_automated_backups  {dbi resource id: {resource_id, db_instance,
                       arn, status "retained", engine, storage,
                       backup_retention, deleted_at}}: kept by a
                       DeleteDBInstance with DeleteAutomatedBackups=false
      metrics          [{namespace, metric, dimensions {name: value}, unit,
                       points [(epoch, value)]}]
      events           [cloudtrail event dicts, see add_event]
    `polls` counts how many more Describe polls still show the transient
    status (pending/creating/deleting).
    """

    def __init__(self, account, name):
        self.account = account
        self.name = name
        self.default_vpc = "vpc-0defa0170000000%02d" % (len(account.regions)
                                                         % 100)
        self.instances = {}
        self.volumes = {}
        self.snapshots = {}
        self.addresses = {}
        self.security_groups = {}
        self.db_instances = {}
        self.db_snapshots = {}
        self.db_automated_backups = {}
        self.metrics = []
        self.events = []
        self.load_balancers = {}            # name -> {name, kind, ...}
        # fakeaws_snap.py: AMIs, DB cluster snapshots, Redshift
        self.images = {}                    # id -> {id, snapshots, ...}
        self.db_cluster_snapshots = {}      # identifier -> {...}
        self.redshift_clusters = {}         # identifier -> {...}
        self.redshift_snapshots = {}        # identifier -> {...}
        self.reserved_nodes = []            # [{node_type, count, state}]

    def _id(self, prefix, width=17, alphabet="hex"):
        return self.account._id(prefix, width, alphabet)

    def _az(self, az):
        return az or self.name + "a"

    @locked
    def add_load_balancer(self, name, kind="application", dns_name=None):
        """A load balancer: kind classic (ELB API), application, network
        or gateway (ELBv2 API). Returns its DNS name."""
        lid = self._id("", 10, "hex")
        dns = dns_name or "%s-%s.%s.elb.amazonaws.com" % (name, lid,
                                                          self.name)
        short = {"application": "app", "network": "net",
                 "gateway": "gwy"}.get(kind, kind)
        self.load_balancers[name] = {
            "name": name, "kind": kind, "dns_name": dns,
            "arn": "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s/%s/%s"
                   % (self.name, self.account.id, short, name, lid)}
        return dns

    # ---- EC2 ------------------------------------------------------------
    @locked
    def add_security_group(self, group_id=None, name=None, description=None,
                           vpc_id=None, ingress=(), egress=None, tags=None):
        """A security group; `ingress`/`egress` are lists of dicts of
        rule()'s keyword arguments (protocol "-1"/"tcp"/..., from_port,
        to_port, cidr | cidr_ipv6 | group_id, description). egress None =
        AWS's default allow-all IPv4 rule. Returns the group id."""
        gid = group_id or self._id("sg-")
        sg = {"id": gid, "name": name or gid,
              "description": description or "group %s" % (name or gid),
              "vpc_id": vpc_id or self.default_vpc, "tags": tag_dict(tags),
              "rules": []}
        self.security_groups[gid] = sg
        if egress is None:
            egress = [{"protocol": "-1", "cidr": "0.0.0.0/0"}]
        for r in ingress:
            self.add_rule(gid, False, **r)
        for r in egress:
            self.add_rule(gid, True, **r)
        return gid

    @locked
    def add_rule(self, sg_id, egress, **kw):
        """A rule (rule()'s keyword arguments) in group sg_id."""
        r = rule(**kw)
        r["rule_id"] = self._id("sgr-")
        r["egress"] = bool(egress)
        self.security_groups[sg_id]["rules"].append(r)
        return r

    @locked
    def add_instance(self, instance_id=None, state="running",
                     http_tokens="optional", http_endpoint="enabled",
                     hop_limit=1, vpc_id=None, subnet_id=None, az=None,
                     groups=None, tags=None, instance_profile=None,
                     instance_type="t3.micro",
                     image_id="ami-0abcdef1234567890", launch_time=None,
                     reservation_id=None, private_ip=None,
                     http_protocol_ipv6="disabled",
                     instance_metadata_tags="disabled"):
        """An instance. `groups`: security group ids (created in the
        instance's VPC when unknown; a (id, name) pair names it); default:
        one new group named "default". `instance_profile`: a profile name
        (created in the account when unknown) or {arn, id}. Returns the id."""
        iid = instance_id or self._id("i-")
        vpc = vpc_id or self.default_vpc
        gids = []
        if groups is None:
            groups = [self._default_group(vpc)]
        for g in groups:
            gid, gname = (g if isinstance(g, (tuple, list)) else (g, None))
            if gid not in self.security_groups:
                self.add_security_group(gid, name=gname, vpc_id=vpc)
            gids.append(gid)
        prof = None
        if isinstance(instance_profile, str):
            p = self.account.instance_profiles.get(instance_profile) or \
                self.account.add_instance_profile(instance_profile)
            prof = {"arn": p["arn"], "id": p["id"]}
        elif instance_profile:
            prof = {"arn": instance_profile["arn"],
                    "id": instance_profile.get("id", "AIPAEXAMPLE")}
        n = len(self.instances) + 1
        self.instances[iid] = {
            "id": iid, "image_id": image_id, "type": instance_type,
            "state": state, "az": self._az(az),
            "launch_time": parse_time(launch_time) if launch_time is not None
            else DEFAULT_TIME,
            "subnet_id": subnet_id or "subnet-0%016x" % n,
            "vpc_id": vpc, "private_ip": private_ip or "10.0.%d.%d"
            % (n // 250, n % 250 + 4),
            "groups": gids, "tags": tag_dict(tags), "profile": prof,
            "reservation_id": reservation_id or self._id("r-"),
            "metadata": {"http_tokens": http_tokens,
                         "http_endpoint": http_endpoint,
                         "hop_limit": int(hop_limit),
                         "http_protocol_ipv6": http_protocol_ipv6,
                         "instance_metadata_tags": instance_metadata_tags}}
        return iid

    def _default_group(self, vpc):
        for g in self.security_groups.values():
            if g["vpc_id"] == vpc and g["name"] == "default":
                return g["id"]
        return self.add_security_group(name="default", vpc_id=vpc,
                                       description="default VPC security "
                                       "group")

    @locked
    def add_volume(self, volume_id=None, size=8, az=None, status=None,
                   attached_to=None, device="/dev/sdf", snapshot_id="",
                   volume_type="gp2", iops=None, encrypted=False, tags=None,
                   create_time=None):
        """A volume; attached to instance `attached_to` (status in-use) or
        available. Returns the id."""
        vid = volume_id or self._id("vol-")
        atts = []
        if attached_to:
            atts.append({"instance_id": attached_to, "device": device,
                         "state": "attached", "attach_time": DEFAULT_TIME,
                         "delete_on_termination": False})
        self.volumes[vid] = {
            "id": vid, "size": int(size), "snapshot_id": snapshot_id or "",
            "az": self._az(az),
            "status": status or ("in-use" if attached_to else "available"),
            "create_time": parse_time(create_time) if create_time is not None
            else DEFAULT_TIME,
            "attachments": atts, "tags": tag_dict(tags),
            "volume_type": volume_type,
            "iops": iops if iops is not None else max(100, 3 * int(size)),
            "encrypted": bool(encrypted), "polls": 0}
        return vid

    @locked
    def add_snapshot(self, snapshot_id=None, volume_id=None, size=8,
                     status="completed", description="", tags=None,
                     start_time=None, encrypted=False, polls=0):
        """A snapshot (status completed, or pending for `polls` more
        DescribeSnapshots). Returns the id."""
        sid = snapshot_id or self._id("snap-")
        self.snapshots[sid] = {
            "id": sid, "volume_id": volume_id or "vol-ffffffff",
            "status": status, "size": int(size),
            "start_time": parse_time(start_time) if start_time is not None
            else DEFAULT_TIME,
            "description": description, "encrypted": bool(encrypted),
            "tags": tag_dict(tags), "polls": int(polls)}
        return sid

    @locked
    def add_address(self, allocation_id=None, public_ip=None,
                    instance_id=None, association_id=None,
                    network_interface_id=None, private_ip=None, domain="vpc",
                    tags=None):
        """An Elastic IP, associated with `instance_id` when given. Returns
        the allocation id."""
        aid = allocation_id or self._id("eipalloc-")
        n = len(self.addresses) + 1
        assoc = instance_id or association_id
        self.addresses[aid] = {
            "allocation_id": aid,
            "public_ip": public_ip or "198.51.100.%d" % (n % 250 + 1),
            "domain": domain, "instance_id": instance_id,
            "association_id": (association_id or self._id("eipassoc-"))
            if assoc else None,
            "network_interface_id": (network_interface_id or
                                     self._id("eni-")) if assoc else None,
            "private_ip": (private_ip or "10.0.1.%d" % (n % 250 + 1))
            if assoc else None,
            "tags": tag_dict(tags)}
        return aid

    def instance(self, iid):
        return self.instances.get(iid)

    # ---- RDS ---------------------------------------------------------------
    @locked
    def add_db_instance(self, identifier, engine="mysql", status="available",
                        instance_class="db.t3.micro", storage=20, az=None,
                        tags=None, deletion_protection=False,
                        publicly_accessible=False, multi_az=False,
                        engine_version="8.0.35", port=3306,
                        master_username="admin", create_time=None,
                        backup_retention=7, storage_type="gp2",
                        parameter_group=None, option_group=None,
                        subnet_group="default", security_groups=(),
                        iops=None, storage_throughput=None,
                        copy_tags_to_snapshot=False,
                        auto_minor_version_upgrade=True):
        """A DB instance (parameter and option groups default to the
        engine's default ones). Returns its identifier."""
        acct = self.account.id
        self.db_instances[identifier] = {
            "id": identifier,
            "arn": "arn:aws:rds:%s:%s:db:%s" % (self.name, acct, identifier),
            "engine": engine, "status": status,
            "instance_class": instance_class, "storage": int(storage),
            "az": self._az(az), "tags": tag_dict(tags),
            "deletion_protection": bool(deletion_protection),
            "publicly_accessible": bool(publicly_accessible),
            "multi_az": bool(multi_az), "engine_version": engine_version,
            "port": int(port), "master_username": master_username,
            "create_time": parse_time(create_time) if create_time is not None
            else DEFAULT_TIME,
            "backup_retention": int(backup_retention),
            "storage_type": storage_type,
            "parameter_group": parameter_group or "default.%s" % engine,
            "option_group": option_group or "default:%s" % engine,
            "subnet_group": subnet_group,
            "security_groups": list(security_groups),
            "iops": None if iops is None else int(iops),
            "storage_throughput": None if storage_throughput is None
            else int(storage_throughput),
            "copy_tags_to_snapshot": bool(copy_tags_to_snapshot),
            "auto_minor_version_upgrade": bool(auto_minor_version_upgrade),
            "resource_id": "db-" + self._id("", 26, "upper"),
            "address": "%s.cdgmuqiadpid.%s.rds.amazonaws.com"
            % (identifier, self.name),
            "polls": 0, "after": None}
        return identifier

    @locked
    def add_db_snapshot(self, identifier, db_instance, status="available",
                        snapshot_type="manual", engine="mysql", storage=20,
                        create_time=None, tags=None, polls=0, port=3306,
                        az=None):
        """A DB snapshot of `db_instance` (available, or creating for
        `polls` more DescribeDBSnapshots). Returns its identifier."""
        self.db_snapshots[identifier] = {
            "id": identifier,
            "arn": "arn:aws:rds:%s:%s:snapshot:%s" % (self.name,
                                                     self.account.id,
                                                     identifier),
            "db_instance": db_instance, "status": status,
            "snapshot_type": snapshot_type, "engine": engine,
            "storage": int(storage), "port": int(port), "az": self._az(az),
            "create_time": parse_time(create_time) if create_time is not None
            else DEFAULT_TIME,
            "tags": tag_dict(tags), "polls": int(polls)}
        return identifier

    # ---- CloudWatch ---------------------------------------------------------
    @locked
    def add_metric(self, namespace, metric, dimensions, points, unit="Count"):
        """Datapoints [(time, value)] (time: epoch or ISO 8601) of
        namespace/metric for the dimension set {name: value}."""
        m = {"namespace": namespace, "metric": metric,
             "dimensions": dict(dimensions), "unit": unit,
             "points": sorted((parse_time(t), float(v)) for t, v in points)}
        self.metrics.append(m)
        return m

    @locked
    def add_db_connections(self, db_id, points):
        """AWS/RDS DatabaseConnections datapoints for DBInstanceIdentifier
        `db_id`: [(time, value)]."""
        return self.add_metric("AWS/RDS", "DatabaseConnections",
                               {"DBInstanceIdentifier": db_id}, points)

    # ---- CloudTrail ---------------------------------------------------------
    @locked
    def add_event(self, event_name, resources=(), event_time=None,
                  username="alice", event_source=None, access_key_id=None,
                  read_only=False, event_id=None, detail=None):
        """A CloudTrail management event. `resources`: resource names (type
        guessed from the prefix), (type, name) pairs or {ResourceType,
        ResourceName} dicts. `detail`: dict merged into the CloudTrailEvent
        document (requestParameters, responseElements, userIdentity, ...).
        Returns the event id."""
        import uuid
        eid = event_id or str(uuid.UUID(int=self.account.fake._seq() |
                                        (0x8a3 << 112)))
        t = parse_time(event_time) if event_time is not None \
            else DEFAULT_TIME
        res = []
        for r in resources:
            if isinstance(r, dict):
                res.append({"ResourceType": r.get("ResourceType") or
                            guess_resource_type(r["ResourceName"]),
                            "ResourceName": r["ResourceName"]})
            elif isinstance(r, (tuple, list)):
                res.append({"ResourceType": r[0], "ResourceName": r[1]})
            else:
                res.append({"ResourceType": guess_resource_type(r),
                            "ResourceName": r})
        src = event_source or "ec2.amazonaws.com"
        akid = access_key_id or "ASIAIOSFODNN7EXAMPLE"
        acct = self.account.id
        doc = {"eventVersion": "1.08",
               "userIdentity": {"type": "IAMUser",
                                "principalId": "AIDAJ45Q7YFFAREXAMPLE",
                                "arn": "arn:aws:iam::%s:user/%s"
                                % (acct, username),
                                "accountId": acct, "accessKeyId": akid,
                                "userName": username},
               "eventTime": iso(t, ms=False), "eventSource": src,
               "eventName": event_name, "awsRegion": self.name,
               "sourceIPAddress": "198.51.100.1",
               "userAgent": "aws-cli/2.15.0",
               "requestParameters": None, "responseElements": None,
               "requestID": eid, "eventID": eid,
               "readOnly": bool(read_only), "eventType": "AwsApiCall",
               "managementEvent": True, "recipientAccountId": acct,
               "eventCategory": "Management"}
        for k, v in (detail or {}).items():
            doc[k] = v
        self.events.append({"EventId": eid, "EventName": event_name,
                            "ReadOnly": "true" if read_only else "false",
                            "AccessKeyId": akid, "EventTime": t,
                            "EventSource": src, "Username": username,
                            "Resources": res,
                            "CloudTrailEvent": json.dumps(
                                doc, separators=(",", ":"))})
        return eid


# ---- seed files -------------------------------------------------------------

REGION_SEEDS = (("security_groups", "add_security_group"),
                ("instances", "add_instance"), ("volumes", "add_volume"),
                ("snapshots", "add_snapshot"), ("addresses", "add_address"),
                ("db_instances", "add_db_instance"),
                ("db_snapshots", "add_db_snapshot"),
                ("metrics", "add_metric"),
                ("db_connections", "add_db_connections"),
                ("events", "add_event"),
                ("load_balancers", "add_load_balancer"),
                ("images", "add_image"),
                ("db_cluster_snapshots", "add_db_cluster_snapshot"),
                ("redshift_clusters", "add_redshift_cluster"),
                ("redshift_snapshots", "add_redshift_snapshot"),
                ("reserved_nodes", "add_reserved_node"))
ACCOUNT_SEEDS = (("roles", "add_role"),
                 ("instance_profiles", "add_instance_profile"),
                 ("zones", "add_zone"), ("distributions", "add_distribution"),
                 ("buckets", "add_bucket"))


def load_seed(fake, seed):
    """Apply a seed document (see fakeaws.py's docstring) to `fake`."""
    for akid, v in (seed.get("keys") or {}).items():
        if isinstance(v, dict):
            fake.add_key(akid, v["secret"], v.get("account"), v.get("user"))
        else:
            fake.add_key(akid, v)
    for tok in seed.get("web_identity_tokens") or ():
        fake.web_identity_tokens.add(tok)
    if seed.get("ecs_token"):
        fake.ecs_token = seed["ecs_token"]
    if seed.get("imds"):
        fake.configure_imds(**seed["imds"])
    for aid, a in (seed.get("accounts") or {}).items():
        acct = fake.account(aid)
        for key, meth in ACCOUNT_SEEDS:
            for kw in a.get(key) or ():
                getattr(acct, meth)(**kw)
        for policy in a.get("role_policies") or ():
            acct.put_role_policy(**policy)
        for rname, r in (a.get("regions") or {}).items():
            reg = acct.region(rname)
            for key, meth in REGION_SEEDS:
                for kw in r.get(key) or ():
                    getattr(reg, meth)(**kw)
