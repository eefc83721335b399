#!/bin/bash
# list.sh - who has a certificate (make list-clients): name, serial, expiry,
# and whether it is valid, revoked or expired. The box's own server
# certificates (current and superseded) are listed last.
#
# Environment: CA_DIR.
. "$(dirname "$0")/lib.sh"
require_ca

now=$(date -u +%y%m%d%H%M%SZ)
printf '%-24s %-8s %-22s %-22s %s\n' NAME STATUS EXPIRES REVOKED SERIAL
# index.txt: status, expiry (YYMMDDHHMMSSZ), revocation date[,reason], serial,
# file, subject. Two-digit years are 20xx for all certificates we issue.
awk -F'\t' -v now="$now" -v serials="$CA_DIR/server.serials" '
BEGIN { while ((getline s < serials) > 0) server_serial[s] = 1 }
function when(t) { return t == "" ? "-" : sprintf("20%s-%s-%s %s:%s", substr(t,1,2), substr(t,3,2), substr(t,5,2), substr(t,7,2), substr(t,9,2)) }
{
	cn = $6; sub(/.*\/CN=/, "", cn)
	st = $1 == "R" ? "revoked" : ($2 < now ? "expired" : "valid")
	rv = $3; sub(/,.*/, "", rv)
	line = sprintf("%-24s %-8s %-22s %-22s %s", cn, st, when($2), when(rv), $4)
	if ($4 in server_serial) srv[++ns] = line "  (server)"; else print line
}
END { for (i = 1; i <= ns; i++) print srv[i] }' "$CA_DIR/index.txt"
