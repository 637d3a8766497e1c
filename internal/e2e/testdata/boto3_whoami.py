# boto3 with its default credential chain: prints the credentials' method and the caller's ARN, or
# with a count and an interval calls STS that often and prints "calls=N failed=M".
# usage: python3 boto3_whoami.py STS_ENDPOINT [COUNT INTERVAL_S]
import sys
import time

import boto3

endpoint = sys.argv[1]
session = boto3.Session()
client = session.client("sts", endpoint_url=endpoint)
if len(sys.argv) < 3:
    arn = client.get_caller_identity()["Arn"]
    print(session.get_credentials().method, arn)
    sys.exit(0)
count, interval, failed = int(sys.argv[2]), float(sys.argv[3]), 0
for i in range(count):
    try:
        client.get_caller_identity()
    except Exception as e:  # every failure counts, whatever it is
        failed += 1
        print("call %d: %s" % (i, e), file=sys.stderr)
    time.sleep(interval)
print("calls=%d failed=%d" % (count, failed))
