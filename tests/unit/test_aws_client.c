/*
 * test_aws_client.c - endpoint resolution, the shared config/credentials
 * files, the base credential chain's local sources, error descriptions.
 * (Requests against a fake AWS are in tests/integration/.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws.h"
#include "aws_creds.h"
#include "aws_ini.h"
#include "aws_int.h"
#include "testhelp.h"

static char dir[] = "/tmp/fixit-test-aws-XXXXXX";

static void
clear_env(void)
{
	static const char *const vars[] = {
		"AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_EC2",
		"AWS_ENDPOINT_URL_ROUTE_53",
		"AWS_ENDPOINT_URL_S3",
		"AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING",
		"AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2",
		"AWS_ACCESS_KEY_ID",
		"AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN",
		"AWS_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_SHARED_CREDENTIALS_FILE",
		"AWS_CONFIG_FILE",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", dir, 1);
}

static const char *
endpoint(const struct aws_cfg *cfg, enum aws_svc svc, const char *region,
    const char **sr)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	if (aws_endpoint(cfg, svc, region, &b, sr) != FX_OK)
		return "(error)";
	return buf_str(&b);
}

static void
test_endpoints(void)
{
	struct aws_cfg cfg;
	const char *sr = NULL;

	TEST("public endpoints, global services signed for us-east-1") {
		clear_env();
		aws_cfg_defaults(&cfg);
		CHECK_STR(endpoint(&cfg, AWS_EC2, "eu-west-1", &sr),
		    "https://ec2.eu-west-1.amazonaws.com");
		CHECK_STR(sr, "eu-west-1");
		CHECK_STR(endpoint(&cfg, AWS_CLOUDWATCH, "eu-west-1", &sr),
		    "https://monitoring.eu-west-1.amazonaws.com");
		CHECK_STR(endpoint(&cfg, AWS_IAM, "eu-west-1", &sr),
		    "https://iam.amazonaws.com");
		CHECK_STR(sr, "us-east-1");
		CHECK_STR(endpoint(&cfg, AWS_ROUTE53, "ap-south-1", &sr),
		    "https://route53.amazonaws.com");
		CHECK_STR(endpoint(&cfg, AWS_STS, "eu-central-1", &sr),
		    "https://sts.eu-central-1.amazonaws.com");
		CHECK_STR(endpoint(&cfg, AWS_EC2, "eu-west-1/../x", &sr),
		    "(error)");
		CHECK_STR(endpoint(&cfg, AWS_EC2, "", &sr), "(error)");
	}
	TEST("overrides: config per service > env per service > config "
	     "default > AWS_ENDPOINT_URL") {
		clear_env();
		aws_cfg_defaults(&cfg);
		setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/", 1);
		CHECK_STR(endpoint(&cfg, AWS_EC2, "eu-west-1", &sr),
		    "http://127.0.0.1:4566");
		CHECK_STR(sr, "eu-west-1");
		cfg.endpoint_default = strdup("http://cfg-default:1");
		CHECK_STR(endpoint(&cfg, AWS_EC2, "eu-west-1", &sr),
		    "http://cfg-default:1");
		setenv("AWS_ENDPOINT_URL_EC2", "http://env-ec2:2/prefix", 1);
		CHECK_STR(endpoint(&cfg, AWS_EC2, "eu-west-1", &sr),
		    "http://env-ec2:2/prefix");
		setenv("AWS_ENDPOINT_URL_ROUTE_53", "https://r53.local", 1);
		CHECK_STR(endpoint(&cfg, AWS_ROUTE53, "eu-west-1", &sr),
		    "https://r53.local");
		CHECK_STR(sr, "us-east-1");
		cfg.endpoint[AWS_EC2] = strdup("http://cfg-ec2:3/");
		CHECK_STR(endpoint(&cfg, AWS_EC2, "eu-west-1", &sr),
		    "http://cfg-ec2:3");
		setenv("AWS_ENDPOINT_URL_EC2", "ftp://nope", 1);
		free(cfg.endpoint[AWS_EC2]);
		cfg.endpoint[AWS_EC2] = NULL;
		CHECK_STR(endpoint(&cfg, AWS_EC2, "eu-west-1", &sr), "(error)");
		aws_cfg_release(&cfg);
		clear_env();
	}
	TEST("service names") {
		CHECK_INT(aws_svc_parse("ec2"), AWS_EC2);
		CHECK_INT(aws_svc_parse("cloudwatch"), AWS_CLOUDWATCH);
		CHECK_INT(aws_svc_parse("monitoring"), AWS_CLOUDWATCH);
		CHECK_INT(aws_svc_parse("s3"), AWS_S3);
		CHECK_INT(aws_svc_parse("elb"), AWS_ELB);
		CHECK_INT(aws_svc_parse("elbv2"), AWS_ELBV2);
		CHECK_INT(aws_svc_parse("elasticloadbalancing"), -1);
		CHECK_STR(aws_svc_name(AWS_ROUTE53), "route53");
		CHECK_STR(aws_service_sign(aws_service(AWS_ELB)),
		    "elasticloadbalancing");
		CHECK_STR(aws_service_sign(aws_service(AWS_ELBV2)),
		    "elasticloadbalancing");
		CHECK_STR(aws_service_sign(aws_service(AWS_S3)), "s3");
	}
	TEST("S3 and ELB: regional, with their SDK override names") {
		clear_env();
		aws_cfg_defaults(&cfg);
		CHECK_STR(endpoint(&cfg, AWS_S3, "eu-west-1", &sr),
		    "https://s3.eu-west-1.amazonaws.com");
		CHECK_STR(sr, "eu-west-1");
		CHECK_STR(endpoint(&cfg, AWS_ELB, "eu-west-1", &sr),
		    "https://elasticloadbalancing.eu-west-1.amazonaws.com");
		CHECK_STR(endpoint(&cfg, AWS_ELBV2, "eu-west-1", &sr),
		    "https://elasticloadbalancing.eu-west-1.amazonaws.com");
		CHECK(!aws_endpoint_overridden(&cfg, AWS_S3));
		setenv("AWS_ENDPOINT_URL_S3", "http://s3.local:9000/", 1);
		setenv("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING",
		    "http://elb.local", 1);
		setenv("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2",
		    "http://elbv2.local", 1);
		CHECK_STR(endpoint(&cfg, AWS_S3, "eu-west-1", &sr),
		    "http://s3.local:9000");
		CHECK(aws_endpoint_overridden(&cfg, AWS_S3));
		CHECK(!aws_endpoint_overridden(&cfg, AWS_EC2));
		CHECK_STR(endpoint(&cfg, AWS_ELB, "eu-west-1", &sr),
		    "http://elb.local");
		CHECK_STR(endpoint(&cfg, AWS_ELBV2, "eu-west-1", &sr),
		    "http://elbv2.local");
		clear_env();
	}
	TEST("Auto Scaling and EKS: regional, their SDK override names") {
		clear_env();
		aws_cfg_defaults(&cfg);
		CHECK_INT(aws_svc_parse("autoscaling"), AWS_AUTOSCALING);
		CHECK_INT(aws_svc_parse("eks"), AWS_EKS);
		CHECK_STR(aws_service_sign(aws_service(AWS_AUTOSCALING)),
		    "autoscaling");
		CHECK_STR(aws_service_sign(aws_service(AWS_EKS)), "eks");
		CHECK_STR(aws_service(AWS_AUTOSCALING)->version, "2011-01-01");
		CHECK_INT(aws_service(AWS_EKS)->proto, PROTO_REST_JSON);
		CHECK_STR(endpoint(&cfg, AWS_AUTOSCALING, "eu-west-1", &sr),
		    "https://autoscaling.eu-west-1.amazonaws.com");
		CHECK_STR(endpoint(&cfg, AWS_EKS, "eu-west-1", &sr),
		    "https://eks.eu-west-1.amazonaws.com");
		CHECK_STR(sr, "eu-west-1");
		setenv("AWS_ENDPOINT_URL_AUTO_SCALING", "http://asg.local", 1);
		setenv("AWS_ENDPOINT_URL_EKS", "http://eks.local", 1);
		CHECK_STR(endpoint(&cfg, AWS_AUTOSCALING, "eu-west-1", &sr),
		    "http://asg.local");
		CHECK_STR(endpoint(&cfg, AWS_EKS, "eu-west-1", &sr),
		    "http://eks.local");
		unsetenv("AWS_ENDPOINT_URL_AUTO_SCALING");
		unsetenv("AWS_ENDPOINT_URL_EKS");
		clear_env();
	}
}

/* the URL and the signed path of an S3 request, "url path" */
static const char *
s3_url(int style, const char *ep, int overridden, const char *bucket,
    const char *path)
{
	static struct buf out = BUF_INIT;
	struct buf url = BUF_INIT, p = BUF_INIT;
	struct aws_cfg cfg;
	struct aws_req r;
	fx_err rc;

	aws_cfg_defaults(&cfg);
	cfg.s3_addressing = style;
	memset(&r, 0, sizeof(r));
	r.svc = AWS_S3;
	r.method = "HEAD";
	r.bucket = bucket;
	r.path = path;
	buf_reset(&out);
	rc = buf_adds(&url, ep);
	if (rc == FX_OK)
		rc = aws_s3_url(&cfg, &r, overridden, &url, &p);
	if (rc == FX_OK)
		rc = buf_addf(&out, "%s %s", buf_str(&url), buf_str(&p));
	buf_release(&url);
	buf_release(&p);
	return rc == FX_OK ? buf_str(&out) : "(error)";
}

static void
test_s3_urls(void)
{
	const char *pub = "https://s3.eu-west-1.amazonaws.com";

	TEST("S3 auto: virtual-hosted on the public endpoint for a "
	     "one-label name, else path style") {
		CHECK_STR(s3_url(AWS_S3_AUTO, pub, 0, "my-bucket", "/"),
		    "https://my-bucket.s3.eu-west-1.amazonaws.com/ /");
		CHECK_STR(s3_url(AWS_S3_AUTO, pub, 0, "my-bucket", "/a/b"),
		    "https://my-bucket.s3.eu-west-1.amazonaws.com/a/b /a/b");
		CHECK_STR(s3_url(AWS_S3_AUTO, pub, 0, "www.example.com", "/"),
		    "https://s3.eu-west-1.amazonaws.com/www.example.com "
		    "/www.example.com");
		CHECK_STR(s3_url(AWS_S3_AUTO, pub, 0, "Old_Bucket", "/"),
		    "https://s3.eu-west-1.amazonaws.com/Old_Bucket "
		    "/Old_Bucket");
		CHECK_STR(s3_url(AWS_S3_AUTO, "http://127.0.0.1:4566/pfx", 1,
			      "my-bucket", "/"),
		    "http://127.0.0.1:4566/pfx/my-bucket /pfx/my-bucket");
	}
	TEST("S3 path and virtual forced") {
		CHECK_STR(s3_url(AWS_S3_PATH, pub, 0, "my-bucket", "/k"),
		    "https://s3.eu-west-1.amazonaws.com/my-bucket/k "
		    "/my-bucket/k");
		CHECK_STR(s3_url(AWS_S3_VIRTUAL, "http://localhost:8080", 1,
			      "my-bucket", "/"),
		    "http://my-bucket.localhost:8080/ /");
		CHECK_STR(s3_url(AWS_S3_VIRTUAL, pub, 0, "a.b.c", "/"),
		    "(error)");
	}
	TEST("S3: names S3 refuses never reach a URL") {
		CHECK_STR(s3_url(AWS_S3_AUTO, pub, 0, "ab", "/"), "(error)");
		CHECK_STR(s3_url(AWS_S3_AUTO, pub, 0, "a/../b", "/"),
		    "(error)");
		CHECK_STR(s3_url(AWS_S3_AUTO, pub, 0, "a b c", "/"), "(error)");
		CHECK_STR(s3_url(AWS_S3_AUTO, pub, 0, "evil.com#x", "/"),
		    "(error)");
		CHECK_STR(s3_url(AWS_S3_AUTO, pub, 0, NULL, "/"), "(error)");
		CHECK_STR(s3_url(AWS_S3_PATH, pub, 0, "my-bucket", "k"),
		    "(error)");
		CHECK_STR(s3_url(AWS_S3_VIRTUAL, pub, 0, "-bucket", "/"),
		    "(error)");
	}
}

static void
write_file(const char *name, const char *text, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static void
test_ini(void)
{
	char path[256];
	struct aws_ini ini;

	write_file("ini",
	    "# comment\n[default]\naws_access_key_id = AKID1\n"
	    "aws_secret_access_key=SECRET1 \n\n[profile dev]\r\n"
	    "role_arn = arn:aws:iam::111122223333:role/x\r\n"
	    "source_profile = default\n; other\n[empty]\n"
	    "[default]\naws_access_key_id = LATER\n",
	    path, sizeof(path));
	TEST("ini sections, trimming, CRLF, comments, first value wins") {
		CHECK_INT(aws_ini_load(path, "default", &ini), FX_OK);
		CHECK_STR(aws_ini_get(&ini, "aws_access_key_id"), "AKID1");
		CHECK_STR(aws_ini_get(&ini, "aws_secret_access_key"),
		    "SECRET1");
		CHECK(aws_ini_get(&ini, "role_arn") == NULL);
		aws_ini_release(&ini);
		CHECK_INT(aws_ini_load(path, "profile dev", &ini), FX_OK);
		CHECK_STR(aws_ini_get(&ini, "role_arn"),
		    "arn:aws:iam::111122223333:role/x");
		CHECK_STR(aws_ini_get(&ini, "source_profile"), "default");
		aws_ini_release(&ini);
		CHECK_INT(aws_ini_load(path, "empty", &ini), FX_OK);
		CHECK_INT(ini.n, 0);
		aws_ini_release(&ini);
		CHECK_INT(aws_ini_load(path, "missing", &ini), FX_ENOTFOUND);
		CHECK_INT(aws_ini_load("/nonexistent/x", "default", &ini),
		    FX_ENOTFOUND);
	}
}

static void
test_chain(void)
{
	char cred[256], conf[256];
	struct aws_credsrc *s = NULL;
	struct aws_client *c = NULL;
	struct aws_creds cr;
	struct aws_cfg cfg;
	struct buf why = BUF_INIT;

	aws_cfg_defaults(&cfg);
	cfg.timeout_s = 2;
	clear_env();
	write_file("credentials",
	    "[default]\naws_access_key_id = FILEKEY\n"
	    "aws_secret_access_key = FILESECRET\n[ops]\n"
	    "aws_access_key_id = OPSKEY\naws_secret_access_key = OPSSECRET\n"
	    "aws_session_token = OPSTOKEN\n",
	    cred, sizeof(cred));
	write_file("config",
	    "[profile broken]\nrole_arn = arn:aws:iam::1:"
	    "role/r\n",
	    conf, sizeof(conf));
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
	setenv("AWS_CONFIG_FILE", conf, 1);
	CHECK_INT(aws_client_new(&cfg, &c), FX_OK);
	TEST("environment keys come first") {
		setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
		setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
		setenv("AWS_SESSION_TOKEN", "ENVTOKEN", 1);
		CHECK_INT(aws_credsrc_new(NULL, NULL, 0, &s), FX_OK);
		CHECK_INT(aws_credsrc_get(s, c, &cr, &why), FX_OK);
		CHECK_STR(cr.access_key_id, "ENVKEY");
		CHECK_STR(cr.session_token, "ENVTOKEN");
		CHECK_INT(cr.expires, 0);
		aws_creds_release(&cr);
		aws_credsrc_free(s);
	}
	TEST("then the default profile of the shared credentials file") {
		unsetenv("AWS_ACCESS_KEY_ID");
		unsetenv("AWS_SECRET_ACCESS_KEY");
		unsetenv("AWS_SESSION_TOKEN");
		CHECK_INT(aws_credsrc_new(NULL, NULL, 0, &s), FX_OK);
		CHECK_INT(aws_credsrc_get(s, c, &cr, &why), FX_OK);
		CHECK_STR(cr.access_key_id, "FILEKEY");
		CHECK(cr.session_token == NULL);
		aws_creds_release(&cr);
		aws_credsrc_free(s);
	}
	TEST("a named profile wins over the environment") {
		setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
		setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
		CHECK_INT(aws_credsrc_new("ops", NULL, 0, &s), FX_OK);
		CHECK_INT(aws_credsrc_get(s, c, &cr, &why), FX_OK);
		CHECK_STR(cr.access_key_id, "OPSKEY");
		CHECK_STR(cr.session_token, "OPSTOKEN");
		aws_creds_release(&cr);
		aws_credsrc_free(s);
		setenv("AWS_PROFILE", "ops", 1);
		CHECK_INT(aws_credsrc_new(NULL, NULL, 0, &s), FX_OK);
		CHECK_INT(aws_credsrc_get(s, c, &cr, &why), FX_OK);
		CHECK_STR(cr.access_key_id, "OPSKEY");
		aws_creds_release(&cr);
		aws_credsrc_free(s);
		unsetenv("AWS_PROFILE");
	}
	TEST("a role profile without a source is a clear error, no secret") {
		CHECK_INT(aws_credsrc_new("broken", NULL, 0, &s), FX_OK);
		buf_reset(&why);
		CHECK(aws_credsrc_get(s, c, &cr, &why) != FX_OK);
		CHECK(strstr(buf_str(&why), "source_profile") != NULL);
		CHECK(strstr(buf_str(&why), "SECRET") == NULL);
		aws_credsrc_free(s);
	}
	TEST("nothing anywhere: FX_EAUTH and a sentence") {
		clear_env();
		setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c", 1);
		setenv("AWS_CONFIG_FILE", "/nonexistent/f", 1);
		CHECK_INT(aws_credsrc_new(NULL, NULL, 0, &s), FX_OK);
		buf_reset(&why);
		CHECK_INT(aws_credsrc_get(s, c, &cr, &why), FX_EAUTH);
		CHECK(strstr(buf_str(&why), "no AWS credentials") != NULL);
		aws_credsrc_free(s);
	}
	aws_client_free(c);
	buf_release(&why);
	unlink(cred);
	unlink(conf);
}

static void
test_describe(void)
{
	struct aws_resp r;
	struct buf b = BUF_INIT;

	TEST("error descriptions name code, message and request id") {
		aws_resp_init(&r);
		r.status = 400;
		snprintf(r.err.code, sizeof(r.err.code), "%s",
		    "InvalidInstanceID.NotFound");
		snprintf(r.err.message, sizeof(r.err.message), "%s",
		    "The instance ID 'i-1' does not exist");
		snprintf(r.err.request_id, sizeof(r.err.request_id), "%s",
		    "req-1");
		CHECK_INT(aws_resp_describe(&r, FX_EREMOTE, &b), FX_OK);
		CHECK_STR(buf_str(&b),
		    "InvalidInstanceID.NotFound: The "
		    "instance ID 'i-1' does not exist (HTTP 400, request id "
		    "req-1)");
		buf_reset(&b);
		aws_resp_init(&r);
		r.status = 502;
		CHECK_INT(aws_resp_describe(&r, FX_ERETRY, &b), FX_OK);
		CHECK_STR(buf_str(&b), "HTTP 502 without an AWS error body");
		buf_release(&b);
	}
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_endpoints();
	test_s3_urls();
	test_ini();
	test_chain();
	test_describe();
	rmdir(dir);
	return TEST_REPORT();
}
