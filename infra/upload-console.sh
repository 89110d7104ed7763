#!/usr/bin/env bash
# Builds the admin console (console/dist) and uploads it to the stack's ConsoleBucket under
# console/, where the CloudFront distribution serves it at https://<distribution>/console/.
#
#   infra/upload-console.sh <stack-name>
#
# Needs the AWS CLI (v2) with credentials for the stack's account, Node 20 and npm. The bucket
# and distribution come from the stack's outputs (ConsoleBucketName, DistributionId); set
# CONSOLE_BUCKET and DISTRIBUTION_ID to skip the lookup. Hashed assets are cached for a year
# (their names change with their content); index.html and the rest are revalidated on every
# load, so a new upload is live once the invalidation finishes.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stack="${1:-}"

output() {
    aws cloudformation describe-stacks --stack-name "$stack" \
        --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
if [[ -z "${CONSOLE_BUCKET:-}" || -z "${DISTRIBUTION_ID:-}" ]]; then
    [[ -n "$stack" ]] || { echo "usage: $0 <stack-name>" >&2; exit 2; }
    CONSOLE_BUCKET="${CONSOLE_BUCKET:-$(output ConsoleBucketName)}"
    DISTRIBUTION_ID="${DISTRIBUTION_ID:-$(output DistributionId)}"
fi

cd "$repo/console"
npm ci --no-audit --no-fund --silent
npm run build --silent

dest="s3://$CONSOLE_BUCKET/console"
aws s3 sync dist/assets "$dest/assets" --delete \
    --cache-control "public, max-age=31536000, immutable"
aws s3 sync dist "$dest" --delete --exclude "assets/*" --cache-control "no-cache"
aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION_ID" \
    --paths "/console/*" --query "Invalidation.Id" --output text
echo "console uploaded to $dest"
