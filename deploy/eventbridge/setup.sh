#!/bin/sh
# setup.sh - point an EventBridge API destination at fixitd in one
# account and region (run it where the events happen, or in the account
# an organisation's events are forwarded to). Needs the AWS CLI.
#
#   FIXIT_URL=https://fixit.example.com FIXIT_EVENTS_API_KEY=... \
#       deploy/eventbridge/setup.sh
#
# Creates: a connection (API key in the X-Fixit-Api-Key header), an API
# destination (POST $FIXIT_URL/v1/events), a role EventBridge uses to
# invoke it, and two rules on the default bus (manual changes via
# CloudTrail; Security Hub findings) targeting it, with retries and a
# dead-letter queue. CloudTrail must record management events for the
# first rule to see API calls.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${FIXIT_URL:?set FIXIT_URL}" "${FIXIT_EVENTS_API_KEY:?set FIXIT_EVENTS_API_KEY}"

conn=$(aws events create-connection --name fixit \
	--authorization-type API_KEY \
	--auth-parameters "ApiKeyAuthParameters={ApiKeyName=X-Fixit-Api-Key,ApiKeyValue=$FIXIT_EVENTS_API_KEY}" \
	--query ConnectionArn --output text)
dest=$(aws events create-api-destination --name fixit \
	--connection-arn "$conn" \
	--invocation-endpoint "$FIXIT_URL/v1/events" --http-method POST \
	--invocation-rate-limit-per-second 300 \
	--query ApiDestinationArn --output text)
role=$(aws iam create-role --role-name fixit-eventbridge-invoke \
	--assume-role-policy-document "file://$here/invoke-role-trust.json" \
	--query Role.Arn --output text)
aws iam put-role-policy --role-name fixit-eventbridge-invoke \
	--policy-name invoke-fixit \
	--policy-document "file://$here/invoke-role-policy.json"
dlq=$(aws sqs create-queue --queue-name fixit-events-dlq \
	--query QueueUrl --output text)
dlq_arn=$(aws sqs get-queue-attributes --queue-url "$dlq" \
	--attribute-names QueueArn --query Attributes.QueueArn --output text)
for rule in cloudtrail securityhub; do
	aws events put-rule --name "fixit-$rule" \
		--event-pattern "file://$here/$rule-pattern.json"
	aws events put-targets --rule "fixit-$rule" --targets \
		"Id=fixit,Arn=$dest,RoleArn=$role,RetryPolicy={MaximumRetryAttempts=185,MaximumEventAgeInSeconds=86400},DeadLetterConfig={Arn=$dlq_arn}"
done
echo "EventBridge now delivers to $FIXIT_URL/v1/events"
