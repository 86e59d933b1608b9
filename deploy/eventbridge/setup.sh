#!/bin/sh
# setup.sh - deploy deploy/cloudformation/fixit-events.yaml: EventBridge
# delivers CloudTrail calls and Security Hub findings to fixitd's
# POST /v1/events in one account and region. Needs the AWS CLI (v2, or
# v1 >= 1.18.140 for --parameter-overrides file://).
#
#   FIXIT_URL=https://fixit.example.com \
#       deploy/eventbridge/setup.sh -k /etc/fixit/events-api-key
#   ... -k - < key-file           # the key on standard input
#   ... -s arn:aws:secretsmanager:...   # the key in Secrets Manager
#
# The key is read from a file or standard input, never from the command
# line: it reaches the AWS CLI in a file of mode 0600, removed on exit.
# Re-running it updates the stack (no change: nothing happens); it can
# run in each region of an account (stack fixit-events in each, no named
# IAM resource). IAM's CreateUser reaches EventBridge in us-east-1 only:
# the rule for it is made there (-g include|exclude overrides).
#
# Options:
#   -u URL     fixitd's base URL (else $FIXIT_URL), with or without a
#              trailing /; the destination is URL/v1/events
#   -k FILE    the events API key (first line of FILE; - = stdin)
#   -s ARN     a Secrets Manager secret with the key (instead of -k)
#   -r REGION  AWS region (else the CLI's default)
#   -e URL     AWS endpoint URL (--endpoint-url)
#   -n NAME    stack name (default fixit-events)
#   -g auto|include|exclude   the IAM rule (default auto: us-east-1 only)
#   -c KEYS    Security Hub rule keys to send (EC2.8,EC2.12; default all)
#   -S         no Security Hub rule
#   -H KEYS    decoy access key ids (events.honeypot_keys, comma-separated;
#              ids only, their secrets are never needed): a rule for every
#              call signed with one, read-only and failed calls too
#   -h         this help
set -eu
here=$(cd "$(dirname "$0")" && pwd)
template="$here/../cloudformation/fixit-events.yaml"
url=${FIXIT_URL:-} keyfile='' secret='' stack=fixit-events global=auto
keys='' sechub=true honeypot=''
aws_opts=
usage() {
	echo "usage: setup.sh [-u URL] (-k FILE | -s SECRET_ARN) [-r REGION]" \
	    "[-e ENDPOINT] [-n STACK] [-g auto|include|exclude] [-c KEYS] [-S]" \
	    "[-H KEYS]" >&2
	exit 2
}
while getopts u:k:s:r:e:n:g:c:SH:h opt; do
	case $opt in
	h) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	u) url=$OPTARG ;;
	k) keyfile=$OPTARG ;;
	s) secret=$OPTARG ;;
	r) aws_opts="$aws_opts --region $OPTARG" ;;
	e) aws_opts="$aws_opts --endpoint-url $OPTARG" ;;
	n) stack=$OPTARG ;;
	g) global=$OPTARG ;;
	c) keys=$OPTARG ;;
	S) sechub=false ;;
	H) honeypot=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
[ -n "$url" ] || { echo "setup.sh: set FIXIT_URL or -u URL" >&2; exit 2; }
case $url in
https://*) ;;
*) echo "setup.sh: $url: not an https:// URL" >&2; exit 2 ;;
esac
if [ -n "${FIXIT_EVENTS_API_KEY:-}" ]; then
	echo "setup.sh: FIXIT_EVENTS_API_KEY is not read; use -k FILE or -k -" >&2
	exit 2
fi
if [ -n "$keyfile" ] && [ -n "$secret" ]; then
	echo "setup.sh: give one of -k FILE and -s SECRET_ARN, not both" >&2
	exit 2
fi
if [ -z "$keyfile" ] && [ -z "$secret" ]; then
	echo "setup.sh: give one of -k FILE and -s SECRET_ARN" >&2
	exit 2
fi

case $honeypot in
*[!A-Z0-9,]*) echo "setup.sh: -H: access key ids (A-Z, 0-9), comma-separated" >&2
	exit 2 ;;
esac
umask 077
params=$(mktemp "${TMPDIR:-/tmp}/fixit-params.XXXXXX")
trap 'rm -f "$params"' EXIT
trap 'exit 1' HUP INT TERM

# a JSON string of $1 (no control characters: checked by the caller)
json_str() {
	printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' \
	    -e 's/$/"/'
}

key=
if [ -n "$keyfile" ]; then
	if [ "$keyfile" = - ]; then
		IFS= read -r key || [ -n "$key" ]
	else
		IFS= read -r key <"$keyfile" || [ -n "$key" ]
	fi
	key=$(printf '%s' "$key" | tr -d '\r')
	[ -n "$key" ] || { echo "setup.sh: the API key is empty" >&2; exit 2; }
	case $key in
	*[[:cntrl:]]*) echo "setup.sh: the API key has control characters" >&2
		exit 2 ;;
	esac
fi
{
	printf '[\n  %s,\n' "$(json_str "FixitUrl=$url")"
	printf '  %s,\n' "$(json_str "ApiKey=$key")"
	printf '  %s,\n' "$(json_str "ApiKeySecretArn=$secret")"
	printf '  %s,\n' "$(json_str "GlobalServiceRule=$global")"
	printf '  %s,\n' "$(json_str "SecurityHub=$sechub")"
	printf '  %s,\n' "$(json_str "SecurityHubRuleKeys=$keys")"
	printf '  %s\n]\n' "$(json_str "HoneypotKeys=$honeypot")"
} >"$params"
key=

# shellcheck disable=SC2086 # aws_opts: words on purpose
aws $aws_opts cloudformation deploy --stack-name "$stack" \
    --template-file "$template" --capabilities CAPABILITY_IAM \
    --no-fail-on-empty-changeset --parameter-overrides "file://$params"
# shellcheck disable=SC2086
aws $aws_opts cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='Endpoint'||OutputKey=='GlobalServiceRule'].[OutputKey,OutputValue]" \
    --output text
