#!/usr/bin/env bash
# Removes the whiskfeed feed actions and package installed by
# install-catalog.sh. What is already gone is skipped, so re-running is safe.
#
# Triggers created with these feeds are not touched: delete them first
# (wsk trigger delete runs the feed's DELETE, which removes the capture in the
# provider); afterwards their feed action no longer exists.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: uninstall-catalog.sh [options]

Options:
  --apihost HOST         OpenWhisk API host      (default: $WSK_APIHOST, else ~/.wskprops)
  --auth KEY             auth key, uuid:key      (default: $WSK_AUTH, else ~/.wskprops)
  --namespace NS         namespace               (default: /whisk.system)
  -h, --help             this text

Environment: WSK_APIHOST, WSK_AUTH; WSK_INSECURE=true passes -i to wsk
(self-signed certificates).
EOF
}

die() {
  printf 'uninstall-catalog.sh: %s\n' "$*" >&2
  exit 1
}

apihost=${WSK_APIHOST:-}
auth=${WSK_AUTH:-}
namespace=/whisk.system

while (($# > 0)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --apihost | --auth | --namespace)
      (($# >= 2)) || die "$1 needs a value"
      case $1 in
        --apihost) apihost=$2 ;;
        --auth) auth=$2 ;;
        --namespace) namespace=$2 ;;
      esac
      shift 2
      ;;
    --apihost=*) apihost=${1#*=}; shift ;;
    --auth=*) auth=${1#*=}; shift ;;
    --namespace=*) namespace=${1#*=}; shift ;;
    *) usage >&2; die "unexpected argument: $1" ;;
  esac
done

command -v wsk >/dev/null 2>&1 || die "the wsk CLI is not on PATH"

namespace=/${namespace#/}
namespace=${namespace%/}
package=$namespace/whiskfeed

wsk_flags=()
[[ -n $apihost ]] && wsk_flags+=(--apihost "$apihost")
[[ -n $auth ]] && wsk_flags+=(--auth "$auth")
[[ ${WSK_INSECURE:-false} == true ]] && wsk_flags+=(-i)

# delete action|package NAME: deletes, or reports that it was already gone;
# any other failure (auth, network, ...) stops the script.
delete() {
  local what=$1 name=$2 output
  if output=$(wsk "$what" delete "$name" ${wsk_flags[@]+"${wsk_flags[@]}"} 2>&1); then
    printf 'deleted %-7s %s\n' "$what" "$name"
  elif grep -qiE 'not found|does not exist' <<<"$output"; then
    printf 'absent  %-7s %s\n' "$what" "$name"
  else
    printf '%s\n' "$output" >&2
    die "could not delete $what $name"
  fi
}

# The actions first: OpenWhisk refuses to delete a package that still has any.
for feed in changes webhook alarm interval once; do
  delete action "$package/$feed"
done
delete package "$package"
