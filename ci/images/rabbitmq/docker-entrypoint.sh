#!/bin/sh
# Write the node's config from the environment (first user, listener) and run the server in the foreground.
set -eu
conf="${RABBITMQ_CONFIG_FILE:-/var/lib/rabbitmq/findash.conf}"
{
  echo 'listeners.tcp.default = 5672'
  echo 'loopback_users.guest = true'
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then
    [ -n "${RABBITMQ_DEFAULT_PASS:-}" ] || {
      echo 'error: RABBITMQ_DEFAULT_USER is set without RABBITMQ_DEFAULT_PASS' >&2
      exit 1
    }
    echo "default_user = $RABBITMQ_DEFAULT_USER"
    echo "default_pass = $RABBITMQ_DEFAULT_PASS"
  fi
} > "$conf.tmp"
mv "$conf.tmp" "$conf"
chmod 0600 "$conf"
exec "$@"
