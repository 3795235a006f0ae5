#!/usr/bin/env bash
# Proves a backup can be restored: restores the newest dump (or the one given) into a scratch
# database, checks that the tables are there and the ledger balances, then drops it.
# Usage: deploy/restore_check.sh [dump file]. Needs the right to create databases.
set -euo pipefail

dir="${BACKUP_DIR:-/var/backups/moneybridge}"
dump="${1:-$(ls -1t "$dir"/moneybridge-*.dump | head -1)}"
server="${RESTORE_SERVER_URL:-postgres://${DB_USER:-postgres}@${DB_HOST:-127.0.0.1}:${DB_PORT:-5432}}"
scratch="moneybridge_restore_check_$$"

export PGPASSWORD="${DB_PASSWORD:-}"
psql -q "$server/postgres" -c "CREATE DATABASE $scratch"
trap 'psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS $scratch"' EXIT
pg_restore --no-owner --exit-on-error --dbname="$server/$scratch" "$dump"

q() { psql -qtA "$server/$scratch" -c "$1"; }
transfers="$(q 'SELECT count(*) FROM payments_transfer')"
migrations="$(q 'SELECT count(*) FROM django_migrations')"
unbalanced="$(q 'SELECT count(*) FROM (SELECT entry_id, currency FROM payments_posting
                 GROUP BY entry_id, currency HAVING sum(amount_minor) <> 0) AS u')"
echo "restored $dump: $migrations migrations, $transfers transfers, $unbalanced unbalanced entries"
if [ "$migrations" -eq 0 ] || [ "$unbalanced" -ne 0 ]; then
  echo "RESTORE CHECK FAILED" >&2
  exit 1
fi
echo "restore check passed"
