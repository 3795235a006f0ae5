#!/usr/bin/env bash
# Nightly PostgreSQL backup with rotation. Usage: deploy/backup.sh [backup dir]
# Reads the same settings as the application (DATABASE_URL, or DB_NAME/DB_USER/DB_HOST/...).
# A custom-format dump (compressed, restorable table by table) named by date; dumps older than
# BACKUP_KEEP_DAYS (14) are removed, but never the newest one.
set -euo pipefail

dir="${1:-${BACKUP_DIR:-/var/backups/moneybridge}}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
url="${DATABASE_URL:-postgres://${DB_USER:-postgres}@${DB_HOST:-127.0.0.1}:${DB_PORT:-5432}/${DB_NAME:?set DATABASE_URL or DB_NAME}}"
mkdir -p "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$dir/moneybridge-$stamp.dump"

PGPASSWORD="${DB_PASSWORD:-}" pg_dump --format=custom --no-owner --file="$target.part" "$url"
mv "$target.part" "$target"  # a dump appears whole or not at all
echo "backup written: $target ($(du -h "$target" | cut -f1))"

newest="$(ls -1t "$dir"/moneybridge-*.dump | head -1)"
find "$dir" -name 'moneybridge-*.dump' -mtime +"$keep_days" ! -path "$newest" -print -delete
