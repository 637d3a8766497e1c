// The AWS SDK for JavaScript v3 with its default credential chain: prints the caller's ARN, or with
// a count and an interval calls STS that often and prints "calls=N failed=M".
// usage: node whoami.mjs STS_ENDPOINT [COUNT INTERVAL_MS]
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const [endpoint, count, interval] = process.argv.slice(2);
const client = new STSClient({ endpoint, region: process.env.AWS_REGION || "eu-west-1" });
if (!count) {
  const out = await client.send(new GetCallerIdentityCommand({}));
  console.log(out.Arn);
} else {
  let failed = 0;
  for (let i = 0; i < Number(count); i++) {
    try {
      await client.send(new GetCallerIdentityCommand({}));
    } catch (e) {
      failed++;
      console.error(`call ${i}: ${e.name}: ${e.message}`);
    }
    await new Promise((r) => setTimeout(r, Number(interval)));
  }
  console.log(`calls=${count} failed=${failed}`);
}
