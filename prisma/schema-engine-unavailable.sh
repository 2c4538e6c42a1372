#!/bin/sh
# Stands in for Prisma's native schema engine, which is downloaded at first use and cannot be
# fetched offline. AI-Slave applies its migrations itself (server/db/migrate.ts), so only
# `prisma generate` is needed, and it only checks that this path exists.
echo "AI-Slave: the Prisma schema engine is not installed here. Migrations are applied by the server at start (server/db/migrate.ts)." >&2
exit 1
