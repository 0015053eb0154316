#!/bin/sh
# Put here by the image build while packages install, and removed after: the image never has it.
# ca-certificates' postinst runs update-ca-certificates without hooks, then its trigger runs it again
# with the hooks of /etc/ca-certificates/update.d. That second run only writes the same bundle again
# when there is no hook and no certificate, setting or link changed since the first: then it is skipped.
# Any other call runs the real one.
state=/usr/local/sbin/.update-ca-certificates.state

fingerprint() {
  find /etc/ca-certificates.conf /usr/share/ca-certificates /usr/local/share/ca-certificates /etc/ssl/certs \
    -printf '%p %y %l %s %T@ %m %U:%G\n' 2>/dev/null | LC_ALL=C sort
}

hooks() {
  if [ -d /etc/ca-certificates/update.d ]; then
    run-parts --test -- /etc/ca-certificates/update.d
  fi
}

if [ $# -eq 0 ] && [ -s "$state" ] && [ -z "$(hooks)" ] && [ "$(fingerprint)" = "$(cat "$state")" ]; then
  echo "update-ca-certificates: no hook, nothing changed since its last run; not run again"
  exit 0
fi

# Only a run with the default files leaves the state a plain run would find unchanged.
plain=yes
skip_next=no
for a in "$@"; do
  if [ "$skip_next" = yes ]; then
    [ -z "$a" ] || plain=no
    skip_next=no
    continue
  fi
  case "$a" in
    --fresh) ;;
    --hooksdir) skip_next=yes ;;
    *) plain=no ;;
  esac
done

: > "$state"
/usr/sbin/update-ca-certificates "$@" || exit $?
if [ "$plain" = yes ]; then
  fingerprint > "$state"
fi
