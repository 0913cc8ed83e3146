#!/usr/bin/env bash
# Installs the whiskfeed package and its five feed actions in OpenWhisk, or
# updates them: every call is an `update`, so re-running is safe (e.g. after a
# new feed-actions jar or a new provider URL).
#
# Needs the wsk CLI on PATH and the built feed-actions jar (mvn -B package).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: install-catalog.sh <providerUrl> [options]

  <providerUrl>          base URL of the whiskfeed provider as OpenWhisk's
                         action containers reach it, e.g. http://whiskfeed:8080

Options:
  --apihost HOST         OpenWhisk API host      (default: $WSK_APIHOST, else ~/.wskprops)
  --auth KEY             auth key, uuid:key      (default: $WSK_AUTH, else ~/.wskprops)
  --namespace NS         target namespace        (default: /whisk.system)
  --kind KIND            Java runtime kind       (default: java:8; the jar targets Java 8+)
  --jar PATH             feed-actions jar        (default: <repo>/feed-actions/target/whiskfeed-feed-actions.jar)
  -h, --help             this text

Environment: WSK_APIHOST, WSK_AUTH; WSK_INSECURE=true passes -i to wsk
(self-signed certificates).
EOF
}

die() {
  printf 'install-catalog.sh: %s\n' "$*" >&2
  exit 1
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)

provider_url=""
apihost=${WSK_APIHOST:-}
auth=${WSK_AUTH:-}
namespace=/whisk.system
kind=java:8
jar=$repo_root/feed-actions/target/whiskfeed-feed-actions.jar

while (($# > 0)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --apihost | --auth | --namespace | --kind | --jar)
      (($# >= 2)) || die "$1 needs a value"
      case $1 in
        --apihost) apihost=$2 ;;
        --auth) auth=$2 ;;
        --namespace) namespace=$2 ;;
        --kind) kind=$2 ;;
        --jar) jar=$2 ;;
      esac
      shift 2
      ;;
    --apihost=*) apihost=${1#*=}; shift ;;
    --auth=*) auth=${1#*=}; shift ;;
    --namespace=*) namespace=${1#*=}; shift ;;
    --kind=*) kind=${1#*=}; shift ;;
    --jar=*) jar=${1#*=}; shift ;;
    -*) usage >&2; die "unknown option: $1" ;;
    *)
      [[ -z $provider_url ]] || die "only one providerUrl expected, got also: $1"
      provider_url=$1
      shift
      ;;
  esac
done

[[ -n $provider_url ]] || { usage >&2; die "missing <providerUrl>"; }
[[ $provider_url =~ ^https?://[^/]+ ]] || die "providerUrl must be an http(s) URL: $provider_url"
[[ -f $jar ]] || die "feed-actions jar not found: $jar (build it with: mvn -B -DskipTests package)"
command -v wsk >/dev/null 2>&1 || die "the wsk CLI is not on PATH"

# "/whisk.system", "whisk.system" and "/whisk.system/" all mean the same.
namespace=/${namespace#/}
namespace=${namespace%/}
package=$namespace/whiskfeed

# Connection flags go after the subcommand, where every wsk version takes them.
wsk_flags=()
[[ -n $apihost ]] && wsk_flags+=(--apihost "$apihost")
[[ -n $auth ]] && wsk_flags+=(--auth "$auth")
[[ ${WSK_INSECURE:-false} == true ]] && wsk_flags+=(-i)

run_wsk() {
  # ${a[@]+...}: an empty array under `set -u` is an error in bash < 4.4 (macOS).
  wsk "$@" ${wsk_flags[@]+"${wsk_flags[@]}"}
}

# --- JSON for the annotations ----------------------------------------------
# The descriptions below are fixed text of this script; json_string still
# escapes backslashes and double quotes so that none can break the JSON.
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# params 'name|required|description' ... -> the JSON array OpenWhisk UIs read
# from the "parameters" annotation.
params() {
  local entry name required description out="" sep=""
  for entry in "$@"; do
    IFS='|' read -r name required description <<<"$entry"
    out+="$sep{\"name\":$(json_string "$name"),\"required\":$required,\"description\":$(json_string "$description")}"
    sep=","
  done
  printf '[%s]' "$out"
}

# Parameters of every feed kind (delivery settings).
common_params=(
  'maxTriggers|false|Fires after which the feed disables itself; -1 = unlimited'
  'maxRetries|false|Retries of a failed fire before the event is dead-lettered (default 12)'
  'retryIntervalSec|false|First retry delay in seconds, doubled per attempt, capped at 5 minutes (default 1)'
  'timeoutSec|false|Timeout of one fire in seconds (default 30)'
  'batchSize|false|Events per fire; above 1 the trigger receives {"events": [...]} (default 1)'
  'batchMaxBytes|false|Largest body of one batched fire in bytes (default 900000)'
  'ordered|false|Deliver in order, one fire in flight per feed (default false)'
)

# install_feed name class description sampleInput 'name|required|description'...
install_feed() {
  local name=$1 class=$2 description=$3 sample=$4
  shift 4
  printf 'action  %s/%s (%s)\n' "$package" "$name" "$class"
  run_wsk action update "$package/$name" "$jar" \
    --main "$class" --kind "$kind" \
    -a feed true \
    -a description "$description" \
    -a parameters "$(params "$@" "${common_params[@]}")" \
    -a sampleInput "$sample"
}

# --- package ----------------------------------------------------------------
# providerUrl is bound on the package, so every feed action gets it; shared,
# so that every namespace can use /whisk.system/whiskfeed/<feed> as a feed.
printf 'package %s -> %s\n' "$package" "$provider_url"
run_wsk package update "$package" --shared yes \
  -a description 'whiskfeed: Postgres row changes, webhooks and alarms as trigger feeds, delivered at least once' \
  -a parameters "$(params 'providerUrl|true|Base URL of the whiskfeed provider, as action containers reach it')" \
  -p providerUrl "$provider_url"

# --- feeds ------------------------------------------------------------------
install_feed changes dev.whiskfeed.actions.ChangesFeed \
  'Fires on committed INSERT, UPDATE and DELETE of a Postgres table (Hasura-style event payload)' \
  '{"table":"public.orders","events":"INSERT,UPDATE"}' \
  'table|true|Table to watch, schema.table (default schema public); it must exist' \
  'events|false|INSERT, UPDATE and/or DELETE, as an array or comma list (default: all three)' \
  'columns|false|An UPDATE fires only when one of these columns changed value (default: any column)' \
  'payloadColumns|false|Columns included in old and new of the payload (default: all)' \
  'source|false|Name of a source database configured on the provider (WHISKFEED_SOURCES)' \
  'database|false|Postgres URL of the database to watch, stored encrypted (default: the provider control database)' \
  'mode|false|listen (default) or poll, for databases where LISTEN is unavailable' \
  'pollIntervalSec|false|Seconds between polls in poll mode'

install_feed webhook dev.whiskfeed.actions.WebhookFeed \
  'Fires on each POST to a hook URL of its own (returned as hookUrl on create)' \
  '{"secret":"a-long-random-string"}' \
  'secret|false|If set, requests must carry X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>, as GitHub sends' \
  'maxBodyBytes|false|Largest accepted request body in bytes (default 1 MiB)' \
  'rateLimitPerSec|false|Requests accepted per second (default: no limit)' \
  'rotateHook|false|On update only: true issues a new hook URL'

install_feed alarm dev.whiskfeed.actions.AlarmFeed \
  'Fires on a cron schedule' \
  '{"cron":"*/5 * * * *","timezone":"Europe/Berlin","trigger_payload":{"name":"Jane"}}' \
  'cron|true|Cron expression: 5 fields, or 6 with seconds' \
  'timezone|false|IANA time zone of the schedule (default UTC)' \
  'startDate|false|No fire before this time: epoch ms or ISO 8601' \
  'stopDate|false|No fire after this time: epoch ms or ISO 8601' \
  'trigger_payload|false|Body of each fire: an object, or a string sent as {"payload": "..."}' \
  'catchUp|false|After downtime, fire once for the missed schedule (default true)' \
  'spreadSec|false|Offset in seconds for this feed, against many feeds firing at the same instant' \
  'strict|false|false: fire on a second of the minute taken from the trigger name, as the alarms package (5-field cron; default true)'

install_feed interval dev.whiskfeed.actions.IntervalFeed \
  'Fires every N minutes' \
  '{"minutes":15,"trigger_payload":{"name":"Jane"}}' \
  'minutes|true|Minutes between fires' \
  'startDate|false|No fire before this time: epoch ms or ISO 8601' \
  'stopDate|false|No fire after this time: epoch ms or ISO 8601' \
  'trigger_payload|false|Body of each fire: an object, or a string sent as {"payload": "..."}'

install_feed once dev.whiskfeed.actions.OnceFeed \
  'Fires once, at a given time' \
  '{"date":"2030-01-01T09:00:00Z","deleteAfterFire":"rules"}' \
  'date|true|When to fire: epoch ms or ISO 8601' \
  'deleteAfterFire|false|false (default), true to delete the trigger after the fire, rules to delete its rules too' \
  'trigger_payload|false|Body of the fire: an object, or a string sent as {"payload": "..."}'

cat <<EOF

Installed. Try:
  wsk trigger create orderChanged --feed $package/changes -p table public.orders -p events INSERT,UPDATE
EOF
