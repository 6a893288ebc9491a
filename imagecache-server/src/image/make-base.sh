#!/usr/bin/env bash
# Makes the OCI image's base from this machine, since no container registry need be reachable:
# a JRE linked (jlink) from the local JDK with only the modules the server needs, the shared
# libraries it and the native libraries the server unpacks (sqlite, Netty's epoll) load, found
# with ldd, and a minimal /etc (user and group nonroot, 65532; hosts lookups by files then dns),
# /tmp and /var/lib/imagecache owned by nonroot. Writes OUT/base.tar in `docker save` form, which
# Jib takes as `tar://` base. Done again only when this script or the JDK is newer than OUT/base.tar.
#   make-base.sh OUT JAR      (JAR: the server's jar, whose native libraries are checked with ldd)
set -euo pipefail

out="$1"
jar="$2"
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
[[ -x "$java_home/bin/jlink" ]] || { echo "make-base.sh: no jlink in $java_home" >&2; exit 1; }
if [[ -f "$out/base.tar" && "$out/base.tar" -nt "${BASH_SOURCE[0]}" && "$out/base.tar" -nt "$java_home/release" ]]; then
  echo "make-base.sh: $out/base.tar is up to date"
  exit 0
fi

# What `jdeps --print-module-deps --ignore-missing-deps --multi-release 17 imagecache.jar` lists,
# plus jdk.crypto.ec (TLS to https origins). java.desktop is there for java.beans (Jackson,
# SnakeYAML); its windowing, sound, font and image libraries are never loaded by a headless server
# and are removed below, with the X11, ALSA and FreeType libraries they would pull in.
modules=java.base,java.desktop,java.naming,java.net.http,java.security.jgss,java.sql,jdk.jfr,jdk.management,jdk.unsupported,jdk.crypto.ec
rm -rf "$out"
root="$out/rootfs"
mkdir -p "$root/opt" "$root/etc" "$root/tmp" "$root/var/lib/imagecache"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$root/opt/java"
# Debian's JDK links its trust store to /etc/ssl/certs/java/cacerts: carry the file itself.
if [[ -L "$root/opt/java/lib/security/cacerts" || ! -s "$root/opt/java/lib/security/cacerts" ]]; then
  rm -f "$root/opt/java/lib/security/cacerts"
  cp -L "$java_home/lib/security/cacerts" "$root/opt/java/lib/security/cacerts"
fi

for unused in libawt_xawt.so libjsound.so libsplashscreen.so libfontmanager.so liblcms.so libjavajpeg.so; do
  rm -f "$root/opt/java/lib/$unused"
done

# The shared libraries: those of the JRE and of the native libraries the jar unpacks at run time.
natives="$out/natives"
mkdir -p "$natives"
(cd "$natives" && "$java_home/bin/jar" xf "$jar" org/sqlite/native/Linux/x86_64 \
  META-INF/native/libnetty_transport_native_epoll_x86_64.so)
mapfile -t objects < <(find "$root/opt/java" "$natives" -type f \( -name '*.so' -o -path '*/bin/*' \))
for object in "${objects[@]}"; do
  ldd "$object" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
  [[ "$lib" == "$root"* || "$lib" == "$natives"* ]] && continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
rm -rf "$natives"
# The loader's usual name, for binaries that ask for it under /lib64.
if [[ -f /lib64/ld-linux-x86-64.so.2 && ! -e "$root/lib64/ld-linux-x86-64.so.2" ]]; then
  mkdir -p "$root/lib64"
  cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
fi

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/var/lib/imagecache:/sbin/nologin
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP
echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"

# One layer: everything root's, /tmp world-writable (sticky), the cache directory nonroot's.
layer="$out/layer.tar"
chmod 1777 "$root/tmp"
chmod 0750 "$root/var/lib/imagecache"
tar --create --file "$layer" --directory "$root" --numeric-owner --owner=0 --group=0 \
  --sort=name --mtime='1970-01-01 00:00:01' --exclude=./var/lib/imagecache .
tar --append --file "$layer" --directory "$root" --numeric-owner --owner=65532 --group=65532 \
  --mtime='1970-01-01 00:00:01' ./var/lib/imagecache
diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
cat >"$out/config.json" <<CONFIG
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]},"rootfs":{"type":"layers","diff_ids":["$diff_id"]},"history":[{"created_by":"imagecache-server/src/image/make-base.sh: jlink ($modules), shared libraries, /etc"}]}
CONFIG
echo '[{"Config":"config.json","RepoTags":["imagecache-base:local"],"Layers":["layer.tar"]}]' >"$out/manifest.json"
tar --create --file "$out/base.tar" --directory "$out" --numeric-owner --owner=0 --group=0 \
  manifest.json config.json layer.tar
rm -rf "$root" "$layer"
echo "make-base.sh: $out/base.tar ($(du -h "$out/base.tar" | cut -f1)), JRE modules $modules"
