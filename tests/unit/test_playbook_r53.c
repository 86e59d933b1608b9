/*
 * test_playbook_r53.c - the pure parts of the DNS playbooks: Route 53
 * names, record sets to ChangeBatch XML (escaping, schema order, round
 * trip through the answer parser), tag XML, and dangling-dns's hostnames
 * of a deleted bucket or load balancer with the matching of record sets
 * against them. pb_dangling_dns.c is included to reach its statics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pb_dangling_dns.c"
#include "pb_r53_deleg.c"
#include "testhelp.h"
#include "testjson.h"

static const char *const r53_tags[] = { "HostedZone", "ResourceRecordSet",
	"ResourceRecord", "Tag", "NameServer", "VPC", NULL };

/* fn (r53_rrset_xml, r53_tags_xml) on the JSON text json (as js()) */
static fx_err
xml_of(fx_err (*fn)(struct buf *, const json_t *), struct buf *b,
    const char *json)
{
	json_t *j = js(json);
	fx_err rc = fn(b, j);

	json_decref(j);
	return rc;
}

static void
test_names(void)
{
	json_t *ns, *a;

	TEST("zone ids") {
		CHECK_STR(r53_zone_id("/hostedzone/Z1D633PJN98FT9"),
		    "Z1D633PJN98FT9");
		CHECK_STR(r53_zone_id("Z1D633PJN98FT9"), "Z1D633PJN98FT9");
		CHECK(r53_zone_id(NULL) == NULL);
		CHECK(r53_zid_ok("Z1D633PJN98FT9"));
		CHECK(!r53_zid_ok(""));
		CHECK(!r53_zid_ok(NULL));
		CHECK(!r53_zid_ok("../../tags"));
		CHECK(!r53_zid_ok("Z1?x=1"));
		CHECK(!r53_zid_ok("Z12345678901234567890123456789012"));
	}
	TEST("names: case-insensitive, one trailing dot ignored") {
		CHECK(r53_name_eq("Example.COM.", "example.com"));
		CHECK(r53_name_eq("a.", "a."));
		CHECK(!r53_name_eq("a..", "a"));
		CHECK(!r53_name_eq("ab", "a."));
		CHECK(!r53_name_eq(NULL, "a"));
	}
	TEST("apex NS and SOA") {
		ns = js("{'Name':'example.com.','Type':'NS'}");
		a = js("{'Name':'www.example.com.','Type':'NS'}");
		CHECK(r53_is_apex_ns_soa(ns, "EXAMPLE.com"));
		CHECK(!r53_is_apex_ns_soa(a, "example.com."));
		CHECK(!r53_is_apex_ns_soa(NULL, "example.com."));
		json_decref(ns);
		json_decref(a);
	}
	TEST("same record set: name, type, set identifier") {
		ns = js("{'Name':'a.example.com.','Type':'A',"
			"'SetIdentifier':'one'}");
		a = js("{'Name':'A.example.com','Type':'A',"
		       "'SetIdentifier':'one','TTL':'60'}");
		CHECK(r53_rrset_same(ns, a));
		json_object_set_new(a, "SetIdentifier", json_string("two"));
		CHECK(!r53_rrset_same(ns, a));
		json_object_del(a, "SetIdentifier");
		CHECK(!r53_rrset_same(ns, a));
		json_decref(ns);
		json_decref(a);
	}
}

static void
test_escape(void)
{
	struct buf b = BUF_INIT;

	buf_init(&b, 4096);
	TEST("XML escaping") {
		CHECK_INT(r53_xml_esc(&b, "a&b<c>\"d'e\tf\ng\rh"), FX_OK);
		CHECK_STR(buf_str(&b), "a&amp;b&lt;c&gt;&quot;d&apos;e&#9;f"
				       "&#10;g&#13;h");
		buf_reset(&b);
		CHECK_INT(r53_xml_esc(&b, "caf\xc3\xa9 ok"), FX_OK);
		CHECK_STR(buf_str(&b), "caf\xc3\xa9 ok");
		buf_reset(&b);
		CHECK_INT(r53_xml_esc(&b, "bad\x01"), FX_EINVAL);
	}
	buf_release(&b);
}

static void
test_rrset_xml(void)
{
	struct buf b = BUF_INIT;

	buf_init(&b, 65536);
	TEST("record set XML: schema order, unknown members dropped") {
		CHECK_INT(
		    xml_of(r53_rrset_xml, &b,
			"{'ResourceRecords':"
			"[{'Value':'\\'v=spf1 a:<x> & -all\\''}],'TTL':'300',"
			"'Type':'TXT','Weight':'10','Name':'ex.com.',"
			"'SetIdentifier':'w1','Bogus':'x','GeoLocation':"
			"{'CountryCode':'DE','ContinentCode':'EU'}}"),
		    FX_OK);
		CHECK_STR(buf_str(&b),
		    "<ResourceRecordSet><Name>ex.com.</Name>"
		    "<Type>TXT</Type><SetIdentifier>w1</SetIdentifier>"
		    "<Weight>10</Weight><GeoLocation><ContinentCode>EU"
		    "</ContinentCode><CountryCode>DE</CountryCode>"
		    "</GeoLocation>"
		    "<TTL>300</TTL><ResourceRecords><ResourceRecord><Value>"
		    "&quot;v=spf1 a:&lt;x&gt; &amp; -all&quot;</Value>"
		    "</ResourceRecord></ResourceRecords></ResourceRecordSet>");
	}
	TEST("record set XML: alias target") {
		buf_reset(&b);
		CHECK_INT(
		    xml_of(r53_rrset_xml, &b,
			"{'Name':'app.ex.com.',"
			"'Type':'A','AliasTarget':{'EvaluateTargetHealth':'false',"
			"'DNSName':'d.elb.amazonaws.com.','HostedZoneId':"
			"'Z35SXDOTRQ7X7K'},'ResourceRecords':''}"),
		    FX_OK);
		CHECK_STR(buf_str(&b),
		    "<ResourceRecordSet><Name>app.ex.com."
		    "</Name><Type>A</Type><AliasTarget><HostedZoneId>"
		    "Z35SXDOTRQ7X7K</HostedZoneId><DNSName>d.elb.amazonaws.com."
		    "</DNSName><EvaluateTargetHealth>false"
		    "</EvaluateTargetHealth>"
		    "</AliasTarget></ResourceRecordSet>");
	}
	TEST("record set XML: hostile input") {
		buf_reset(&b);
		CHECK_INT(xml_of(r53_rrset_xml, &b, "{'Type':'A'}"), FX_EINVAL);
		CHECK_INT(xml_of(r53_rrset_xml, &b,
			      "{'Name':'a.','Type':'A',"
			      "'ResourceRecords':[{'NoValue':'1'}]}"),
		    FX_EINVAL);
		CHECK_INT(xml_of(r53_rrset_xml, &b,
			      "{'Name':'a.','Type':[1],"
			      "'TTL':{}}"),
		    FX_EINVAL);
		CHECK_INT(r53_rrset_xml(&b, NULL), FX_EINVAL);
	}
	buf_release(&b);
}

static void
test_change_xml(void)
{
	struct buf b = BUF_INIT;
	json_t *rrs, *rr, *back = NULL;

	buf_init(&b, 65536);
	rrs = js("[{'Name':'www.ex.com.','Type':'CNAME','TTL':"
		 "'300','ResourceRecords':[{'Value':'b.s3.amazonaws.com'}]}]");
	TEST("change batch XML") {
		CHECK_INT(r53_change_xml(&b, "DELETE", rrs, "x & y"), FX_OK);
		CHECK_STR(buf_str(&b),
		    "<?xml version=\"1.0\" "
		    "encoding=\"UTF-8\"?>\n<ChangeResourceRecordSetsRequest "
		    "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
		    "<ChangeBatch>"
		    "<Comment>x &amp; y</Comment><Changes><Change><Action>"
		    "DELETE</Action><ResourceRecordSet><Name>www.ex.com.</Name>"
		    "<Type>CNAME</Type><TTL>300</TTL><ResourceRecords>"
		    "<ResourceRecord><Value>b.s3.amazonaws.com</Value>"
		    "</ResourceRecord></ResourceRecords></ResourceRecordSet>"
		    "</Change></Changes></ChangeBatch>"
		    "</ChangeResourceRecordSetsRequest>");
		buf_reset(&b);
		CHECK_INT(r53_change_xml(&b, "DROP", rrs, NULL), FX_EINVAL);
		CHECK_INT(r53_change_xml(&b, "CREATE", NULL, NULL), FX_EINVAL);
	}
	TEST("change batch XML parses back with its values intact") {
		buf_reset(&b);
		json_decref(rrs);
		rrs = js(
		    "[{'Name':'t.ex.com.','Type':'TXT','TTL':"
		    "'60','ResourceRecords':[{'Value':'\\'a&b<c>\\u0027d\\''},"
		    "{'Value':'\\'two\\''}]}]");
		CHECK_INT(r53_change_xml(&b, "CREATE", rrs, NULL), FX_OK);
		CHECK_INT(aws_xml_to_json(b.data, b.len, r53_tags, &back),
		    FX_OK);
		rr = aws_j_get(back,
		    "ChangeResourceRecordSetsRequest/"
		    "ChangeBatch/Changes/Change/ResourceRecordSet");
		CHECK(json_equal(rr, json_array_get(rrs, 0)));
		CHECK_STR(aws_j_str(json_array_get(aws_j_list(rr,
						       "ResourceRecords"),
					0),
			      "Value"),
		    "\"a&b<c>'d\"");
		json_decref(back);
	}
	json_decref(rrs);
	buf_release(&b);
}

/* every record set of the canned answer survives XML -> JSON -> XML ->
 * JSON unchanged */
static void
test_round_trip(void)
{
	struct buf b = BUF_INIT;
	char *xml =
	    th_read_data("responses/route53-list-resource-record-sets.xml",
		NULL);
	json_t *doc = NULL, *sets, *back = NULL, *it;
	size_t i;

	buf_init(&b, 65536);
	TEST("round trip of the canned ListResourceRecordSets") {
		CHECK(xml != NULL);
		if (xml == NULL)
			break;
		CHECK_INT(aws_xml_to_json(xml, strlen(xml), r53_tags, &doc),
		    FX_OK);
		sets = aws_j_list(doc, "ListResourceRecordSetsResponse/"
				       "ResourceRecordSets");
		CHECK_INT(json_array_size(sets), 4);
		json_array_foreach(sets, i, it) {
			buf_reset(&b);
			CHECK_INT(r53_rrset_xml(&b, it), FX_OK);
			CHECK_INT(aws_xml_to_json(b.data, b.len, r53_tags,
				      &back),
			    FX_OK);
			CHECK(json_equal(json_object_get(back,
					     "ResourceRecordSet"),
			    it));
			json_decref(back);
			back = NULL;
		}
	}
	json_decref(doc);
	free(xml);
	buf_release(&b);
}

static void
test_tags_xml(void)
{
	struct buf b = BUF_INIT;
	json_t *t;
	int i;
	char k[16];

	buf_init(&b, 65536);
	TEST("tag XML") {
		t = js("{'fixit:action':'delete-zone','o':'a<b'}");
		CHECK_INT(r53_tags_xml(&b, t), FX_OK);
		CHECK_STR(buf_str(&b),
		    "<?xml version=\"1.0\" "
		    "encoding=\"UTF-8\"?>\n<ChangeTagsForResourceRequest "
		    "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
		    "<AddTags><Tag><Key>"
		    "fixit:action</Key><Value>delete-zone</Value></Tag><Tag>"
		    "<Key>o</Key><Value>a&lt;b</Value></Tag></AddTags>"
		    "</ChangeTagsForResourceRequest>");
		for (i = 0; i < 10; i++) {
			snprintf(k, sizeof(k), "k%d", i);
			json_object_set_new(t, k, json_string("v"));
		}
		CHECK_INT(r53_tags_xml(&b, t), FX_EINVAL); /* 12 > 10 */
		json_decref(t);
		CHECK_INT(xml_of(r53_tags_xml, &b, "{'k':1}"), FX_EINVAL);
		CHECK_INT(r53_tags_xml(&b, NULL), FX_EINVAL);
	}
	buf_release(&b);
}

static int
has(const json_t *t, const char *list, const char *pat)
{
	json_t *it;
	size_t i;

	json_array_foreach(aws_j_list(t, list), i, it)
		if (strcmp(json_string_value(it), pat) == 0)
			return 1;
	return 0;
}

static void
test_targets(void)
{
	json_t *t = NULL;

	TEST("S3 bucket hostnames") {
		CHECK_INT(dd_target_new("s3", "My.Bucket", "eu-west-1", NULL,
			      &t),
		    FX_OK);
		CHECK(has(t, "hosts", "my.bucket.s3.amazonaws.com"));
		CHECK(has(t, "hosts", "my.bucket.s3.eu-west-1.amazonaws.com"));
		CHECK(has(t, "hosts", "my.bucket.s3-eu-west-1.amazonaws.com"));
		CHECK(has(t, "hosts",
		    "my.bucket.s3-website-eu-west-1.amazonaws.com"));
		CHECK(has(t, "hosts",
		    "my.bucket.s3-website.eu-west-1.amazonaws.com"));
		CHECK(has(t, "hosts",
		    "my.bucket.s3.dualstack.eu-west-1.amazonaws.com"));
		CHECK(
		    !has(t, "hosts", "my.bucket.s3-external-1.amazonaws.com"));
		CHECK(has(t, "named", "s3-website-eu-west-1.amazonaws.com"));
		CHECK(aws_j_get(t, "dns_name") == NULL);
		json_decref(t);
		CHECK_INT(dd_target_new("s3", "b", "us-east-1", NULL, &t),
		    FX_OK);
		CHECK(has(t, "hosts", "b.s3-external-1.amazonaws.com"));
		json_decref(t);
		CHECK_INT(dd_target_new("s3", "b", "cn-north-1", NULL, &t),
		    FX_OK);
		CHECK(has(t, "hosts", "b.s3.cn-north-1.amazonaws.com.cn"));
		json_decref(t);
	}
	TEST("load balancer hostnames") {
		CHECK_INT(dd_target_new("elb", "My-LB", "eu-west-1", NULL, &t),
		    FX_OK);
		CHECK(has(t, "hosts", "my-lb-*.eu-west-1.elb.amazonaws.com"));
		CHECK(has(t, "hosts",
		    "internal-my-lb-*.eu-west-1.elb.amazonaws.com"));
		CHECK(has(t, "hosts",
		    "dualstack.my-lb-*.eu-west-1.elb.amazonaws.com"));
		CHECK(has(t, "hosts",
		    "dualstack.internal-my-lb-*.eu-west-1.elb.amazonaws.com"));
		CHECK(has(t, "hosts", "my-lb-*.elb.eu-west-1.amazonaws.com"));
		CHECK_INT(json_array_size(aws_j_list(t, "named")), 0);
		json_decref(t);
	}
	TEST("a load balancer's exact DNS name replaces the patterns") {
		CHECK_INT(dd_target_new("elb", "My-LB", "eu-west-1",
			      "My-LB-42.eu-west-1.elb.amazonaws.com.", &t),
		    FX_OK);
		CHECK_INT(json_array_size(aws_j_list(t, "hosts")), 2);
		CHECK(has(t, "hosts", "my-lb-42.eu-west-1.elb.amazonaws.com"));
		CHECK(has(t, "hosts",
		    "dualstack.my-lb-42.eu-west-1.elb.amazonaws.com"));
		CHECK_STR(aws_j_str(t, "dns_name"),
		    "My-LB-42.eu-west-1.elb.amazonaws.com");
		CHECK_INT(json_array_size(aws_j_list(t, "named")), 0);
		json_decref(t);
	}
	TEST("names AWS would refuse are refused; odd dns_name dropped") {
		CHECK_INT(dd_target_new("s3", "a*b", "eu-west-1", NULL, &t),
		    FX_EINVAL);
		CHECK(t == NULL);
		CHECK_INT(dd_target_new("s3", "a/b", "eu-west-1", NULL, &t),
		    FX_EINVAL);
		CHECK_INT(dd_target_new("s3", "", "eu-west-1", NULL, &t),
		    FX_EINVAL);
		CHECK_INT(dd_target_new("elb", "a.b", "eu-west-1", NULL, &t),
		    FX_EINVAL);
		CHECK_INT(dd_target_new("elb",
			      "abcdefghijabcdefghij"
			      "abcdefghijabc",
			      "eu-west-1", NULL, &t),
		    FX_EINVAL);
		CHECK_INT(dd_target_new("rds", "a", "eu-west-1", NULL, &t),
		    FX_EINVAL);
		CHECK_INT(dd_target_new(NULL, "a", "eu-west-1", NULL, &t),
		    FX_EINVAL);
		CHECK_INT(dd_target_new("s3", "a", "eu west", NULL, &t),
		    FX_EINVAL);
		CHECK_INT(dd_target_new("s3", "a", NULL, NULL, &t), FX_EINVAL);
		CHECK_INT(dd_target_new("s3", "a", "eu-west-1", "x*.com", &t),
		    FX_OK);
		CHECK(aws_j_get(t, "dns_name") == NULL);
		CHECK(!has(t, "hosts", "x*.com"));
		json_decref(t);
	}
}

static void
test_match(void)
{
	const char *p = "my-lb-*.eu-west-1.elb.amazonaws.com";

	TEST("host patterns") {
		CHECK(dd_host_match(p, "my-lb-1234567890.eu-west-1.elb."
				       "amazonaws.com"));
		CHECK(dd_host_match(p,
		    "MY-LB-ab12.EU-WEST-1.elb.amazonaws.com."));
		CHECK(!dd_host_match(p, "my-lb-.eu-west-1.elb.amazonaws.com"));
		CHECK(!dd_host_match(p, "my-lb-2-123.eu-west-1.elb.amazonaws."
					"com")); /* load balancer "my-lb-2" */
		CHECK(
		    !dd_host_match(p, "xmy-lb-1.eu-west-1.elb.amazonaws.com"));
		CHECK(
		    !dd_host_match(p, "my-lb-1.eu-west-1.elb.amazonaws.com.x"));
		CHECK(
		    !dd_host_match(p, "my-lb-1.eu-west-1.elb.amazonaws.com.."));
		CHECK(!dd_host_match(p, ""));
		CHECK(!dd_host_match(p, NULL));
		CHECK(!dd_host_match(NULL, "a"));
		CHECK(dd_host_match("a*b", "a1b"));
		CHECK(dd_host_match("a*1", "a111")); /* backtracks */
		CHECK(
		    dd_host_match("b.s3.amazonaws.com", "B.S3.amazonaws.com."));
		CHECK(!dd_host_match("b.s3.amazonaws.com",
		    "ab.s3.amazonaws.com"));
	}
}

static int
points(const json_t *t, const char *rr_json)
{
	json_t *rr = js(rr_json);
	int r = dd_points_at(t, rr);

	json_decref(rr);
	return r;
}

static void
test_points_at(void)
{
	json_t *s3 = NULL, *elb = NULL, *one = NULL;

	if (dd_target_new("s3", "www.example.com", "eu-west-1", NULL, &s3) !=
		FX_OK ||
	    dd_target_new("elb", "my-lb", "eu-west-1", NULL, &elb) != FX_OK ||
	    dd_target_new("elb", "my-lb", "eu-west-1",
		"my-lb-1.eu-west-1.elb.amazonaws.com", &one) != FX_OK)
		printf("  FAIL: targets\n");
	TEST("record sets pointing at a bucket") {
		CHECK(
		    points(s3, "{'Name':'x.example.com.','Type':'CNAME',"
			       "'ResourceRecords':[{'Value':'other.example.'},"
			       "{'Value':'www.example.com.s3-website-eu-west-1."
			       "amazonaws.com'}]}"));
		/* website by name: alias to the shared endpoint */
		CHECK(
		    points(s3, "{'Name':'www.example.com.','Type':'A',"
			       "'AliasTarget':{'DNSName':'s3-website-eu-west-1."
			       "amazonaws.com.'}}"));
		CHECK(!points(s3,
		    "{'Name':'web.example.com.','Type':'A',"
		    "'AliasTarget':{'DNSName':'s3-website-eu-west-1."
		    "amazonaws.com.'}}"));
		CHECK(!points(s3,
		    "{'Name':'x.example.com.','Type':'TXT',"
		    "'ResourceRecords':[{'Value':'www.example.com.s3."
		    "amazonaws.com'}]}"));
		CHECK(!points(s3,
		    "{'Name':'x.example.com.','Type':"
		    "'CNAME','ResourceRecords':[{'Value':'www.example."
		    "com2.s3.amazonaws.com'}]}"));
		CHECK(!points(s3, "{'Name':'x.example.com.','Type':"
				  "'CNAME','ResourceRecords':''}"));
		CHECK(!points(s3, "{'Type':'CNAME','ResourceRecords':"
				  "[{'Value':7}],'AliasTarget':''}"));
		CHECK(!points(s3, "[]"));
	}
	TEST("record sets pointing at a load balancer") {
		CHECK(points(elb,
		    "{'Name':'app.ex.com.','Type':'AAAA',"
		    "'AliasTarget':{'DNSName':'dualstack.my-lb-1234567890."
		    "eu-west-1.elb.amazonaws.com.'}}"));
		CHECK(points(elb,
		    "{'Name':'app.ex.com.','Type':'CNAME',"
		    "'ResourceRecords':[{'Value':'internal-my-lb-99.eu-west-"
		    "1.elb.amazonaws.com'}]}"));
		CHECK(!points(elb,
		    "{'Name':'app.ex.com.','Type':'A',"
		    "'AliasTarget':{'DNSName':'dualstack.my-lb-two-1."
		    "eu-west-1.elb.amazonaws.com.'}}"));
		CHECK(!points(elb,
		    "{'Name':'app.ex.com.','Type':'A',"
		    "'AliasTarget':{'DNSName':'my-lb-1.us-east-1.elb."
		    "amazonaws.com.'}}"));
	}
	TEST("an exact DNS name spares the load balancer's namesakes") {
		CHECK(points(one,
		    "{'Name':'app.ex.com.','Type':'A',"
		    "'AliasTarget':{'DNSName':'DUALSTACK.my-lb-1.eu-west-1."
		    "elb.amazonaws.com.'}}"));
		CHECK(!points(one,
		    "{'Name':'app.ex.com.','Type':'A',"
		    "'AliasTarget':{'DNSName':'dualstack.my-lb-2.eu-west-1."
		    "elb.amazonaws.com.'}}"));
	}
	json_decref(s3);
	json_decref(elb);
	json_decref(one);
}

static void
test_finding_target(void)
{
	struct pb_ctx x;
	struct buf msg = BUF_INIT;
	json_t *f, *t = NULL;

	memset(&x, 0, sizeof(x));
	buf_init(&msg, 4096);
	x.msg = &msg;
	x.region = "us-east-2";
	TEST("finding -> target") {
		f = js("{'resource_id':'s3:my-bucket','details':{},"
		       "'region':'eu-west-1'}");
		CHECK_INT(dd_target(&x, f, &t), FX_OK);
		CHECK_STR(aws_j_str(t, "kind"), "s3");
		CHECK_STR(aws_j_str(t, "name"), "my-bucket");
		CHECK_STR(aws_j_str(t, "region"), "eu-west-1");
		json_decref(t);
		json_decref(f);
		f = js("{'resource_id':'elb:x','details':{'kind':'elb',"
		       "'name':'real','region':'eu-central-1','dns_name':"
		       "'real-1.eu-central-1.elb.amazonaws.com'}}");
		CHECK_INT(dd_target(&x, f, &t), FX_OK);
		CHECK_STR(aws_j_str(t, "name"), "real");
		CHECK_STR(aws_j_str(t, "region"), "eu-central-1");
		CHECK_STR(aws_j_str(t, "dns_name"),
		    "real-1.eu-central-1.elb.amazonaws.com");
		json_decref(t);
		json_decref(f);
		f = js("{'resource_id':'elb:lb1'}");
		CHECK_INT(dd_target(&x, f, &t), FX_OK);
		CHECK_STR(aws_j_str(t, "region"), "us-east-2");
		json_decref(t);
		json_decref(f);
		f = js("{'resource_id':'arn:aws:s3:::b','details':[]}");
		CHECK_INT(dd_target(&x, f, &t), FX_EINVAL);
		CHECK(t == NULL);
		CHECK(strstr(buf_str(&msg), "s3:BUCKET") != NULL);
		json_decref(f);
		f = js("{'resource_id':'s3:'}");
		CHECK_INT(dd_target(&x, f, &t), FX_EINVAL);
		json_decref(f);
		CHECK_INT(dd_target(&x, NULL, &t), FX_EINVAL);
	}
	buf_release(&msg);
}

static void
test_by_zone(void)
{
	json_t *recs, *z;

	TEST("prior records grouped by zone, junk skipped") {
		recs = js("[{'zone_id':'Z1','zone_name':'a.','record':"
			  "{'Name':'x.a.'}},{'zone_id':'Z2','record':{}},"
			  "{'zone_id':'Z1','record':{'Name':'y.a.'}},"
			  "{'zone_id':'Z3'},{'record':{}},7]");
		z = dd_by_zone(recs);
		CHECK_INT(json_object_size(z), 2);
		CHECK_INT(json_array_size(aws_j_list(z, "Z1/records")), 2);
		CHECK_STR(aws_j_str(z, "Z1/zone_name"), "a.");
		CHECK(aws_j_str(z, "Z2/zone_name") == NULL);
		json_decref(z);
		json_decref(recs);
		z = dd_by_zone(NULL);
		CHECK_INT(json_object_size(z), 0);
		json_decref(z);
	}
}

/* the delegation helpers: ancestors, other accounts' roles, removable */
static void
test_deleg(void)
{
	struct pb_ctx x;
	struct r53_actx a;
	struct r53_deleg d;

	TEST("ancestor zones: proper, on a label boundary") {
		CHECK(ancestor("example.com.", "sub.example.com."));
		CHECK(ancestor("COM", "sub.example.com."));
		CHECK(!ancestor("example.com.", "example.com"));
		CHECK(!ancestor("ample.com.", "sub.example.com."));
		CHECK(!ancestor("", "sub.example.com."));
		CHECK(!ancestor("sub.example.com.", "example.com."));
	}
	TEST("another account: the account field of each role ARN swapped") {
		memset(&x, 0, sizeof(x));
		x.account_id = "111122223333";
		x.role_arn[PB_AUDITOR] =
		    "arn:aws:iam::111122223333:role/path/fixit-auditor";
		x.role_arn[PB_TAGGER] = "arn:aws-cn:iam::111122223333:role/t";
		x.role_arn[PB_REMEDIATOR] = "broken";
		CHECK_INT(r53_actx_init(&a, &x, "444455556666"), FX_EINVAL);
		x.role_arn[PB_REMEDIATOR] = NULL;
		CHECK_INT(r53_actx_init(&a, &x, "444455556666"), FX_OK);
		CHECK_STR(a.x.role_arn[PB_AUDITOR],
		    "arn:aws:iam::444455556666:role/path/fixit-auditor");
		CHECK_STR(a.x.role_arn[PB_TAGGER],
		    "arn:aws-cn:iam::444455556666:role/t");
		CHECK(a.x.role_arn[PB_REMEDIATOR] == NULL);
		CHECK_STR(a.x.account_id, "444455556666");
		CHECK_INT(r53_actx_init(&a, &x, "111122223333"), FX_OK);
		CHECK(a.x.role_arn[PB_AUDITOR] == x.role_arn[PB_AUDITOR]);
	}
	TEST("removable: every public NS among the parents' values") {
		memset(&d, 0, sizeof(d));
		d.parents =
		    json_loads("[{\"record\": {\"ResourceRecords\": "
			       "[{\"Value\": \"ns-1.awsdns-1.org.\"}]}}]",
			0, NULL);
		d.public_ns = json_loads("[\"NS-1.awsdns-1.org\"]", 0, NULL);
		CHECK(r53_deleg_any(&d) && r53_deleg_removable(&d));
		json_array_append_new(d.public_ns,
		    json_string("ns.other.net."));
		CHECK(!r53_deleg_removable(&d));
		json_array_clear(d.public_ns);
		d.unknown = 1;
		CHECK(!r53_deleg_removable(&d));
		r53_deleg_release(&d);
		CHECK(!r53_deleg_any(&d));
	}
}

int
main(void)
{
	test_names();
	test_escape();
	test_rrset_xml();
	test_change_xml();
	test_round_trip();
	test_tags_xml();
	test_targets();
	test_match();
	test_points_at();
	test_finding_target();
	test_by_zone();
	test_deleg();
	return TEST_REPORT();
}
