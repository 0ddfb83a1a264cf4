#!/bin/sh
# Rasa's tracker store gets its own database (never shared with the governance database).
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "CREATE DATABASE \"$TRACKER_DB\""
