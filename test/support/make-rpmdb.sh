#!/usr/bin/env bash
# Builds real RPM databases (rpmdb.sqlite, the sqlite backend of rpm >= 4.16) for the rpmdb parser tests,
# and two plain SQLite files with non-default page sizes for the SQLite reader tests.
#
# Usage: test/support/make-rpmdb.sh OUTDIR
# Writes:
#   OUTDIR/rpmdb-small.sqlite   bh-epoch (Epoch: 3), bh-tools + bh-tools-libs (a binary whose source rpm is
#                               bh-tools), bh-longdesc (a 22 KiB description: its header spans overflow
#                               pages), and a gpg-pubkey pseudo-package imported with `rpm --import`
#   OUTDIR/rpmdb-many.sqlite    200 subpackages bh-many-NNN of one source package bh-many: enough headers
#                               for the Packages table to need interior b-tree pages
#   OUTDIR/pages-512.sqlite     sqlite3 CLI, page_size 512 with 32 reserved bytes per page (the smallest
#                               usable size SQLite allows, 480), the table `t` described below
#   OUTDIR/pages-65536.sqlite   the same rows with page_size 65536 (stored in the header as 1), none reserved
# Needs rpm and rpmbuild (Debian: apt-get install rpm), gpg, sqlite3. The packages are noarch and install
# nothing: `rpm --justdb` records them in the database only.
set -euo pipefail
out=${1:?usage: make-rpmdb.sh OUTDIR}
for tool in rpm rpmbuild gpg sqlite3; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done
[ "$(rpm --eval '%_db_backend')" = sqlite ] || { echo "rpm's database backend is not sqlite" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SPECS"
rpmbuild_() { rpmbuild --quiet --define "_topdir $work" -bb "$@" >/dev/null; }
rpm_() { rpm "$@" 2> >(grep -v -e 'should not be used directly' -e 'assuming you know what you are doing' >&2); }

cat >"$work/SPECS/bh-epoch.spec" <<'EOF'
Name: bh-epoch
Epoch: 3
Version: 1.0
Release: 1.bh
Summary: Bulkhead test package with an epoch
License: MIT
BuildArch: noarch
%description
A package with an Epoch, for the rpmdb parser tests.
%files
EOF

cat >"$work/SPECS/bh-tools.spec" <<'EOF'
Name: bh-tools
Version: 2.4.1
Release: 7.el9
Summary: Bulkhead test source package with a subpackage
License: Apache-2.0 AND MIT
BuildArch: noarch
%description
The main package of bh-tools.
%package libs
Summary: The libraries of bh-tools
%description libs
A binary package whose name is not the source package's name.
%files
%files libs
EOF

{
  cat <<'EOF'
Name: bh-longdesc
Version: 0.9~rc1
Release: 2
Summary: Bulkhead test package with a long description
License: GPL-2.0-or-later
BuildArch: noarch
%description
EOF
  for i in $(seq 1 300); do echo "Line $i of a long description, so that this header does not fit one page."; done
  echo '%files'
} >"$work/SPECS/bh-longdesc.spec"

{
  cat <<'EOF'
Name: bh-many
Version: 1.0
Release: 1
Summary: Bulkhead test source package with 200 subpackages
License: MIT
BuildArch: noarch
%description
The main package of bh-many.
EOF
  for i in $(seq -w 1 200); do
    printf '%%package -n bh-many-%s\nSummary: subpackage %s\nVersion: 1.%s\n%%description -n bh-many-%s\nSubpackage %s.\n%%files -n bh-many-%s\n' \
      "$i" "$i" "$((10#$i))" "$i" "$i" "$i"
  done
} >"$work/SPECS/bh-many.spec"

for spec in bh-epoch bh-tools bh-longdesc bh-many; do rpmbuild_ "$work/SPECS/$spec.spec"; done

# A throwaway signing key, only so that the database holds a real gpg-pubkey header.
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'Bulkhead Test <test@bulkhead.invalid>' rsa2048 sign never
gpg --batch --quiet --armor --export test@bulkhead.invalid >"$work/key.asc"

small="$work/db-small"
rpm_ --dbpath "$small" --initdb
rpm_ --dbpath "$small" --import "$work/key.asc"
rpm_ --dbpath "$small" --justdb --nodeps -i \
  "$work"/RPMS/noarch/bh-epoch-*.rpm "$work"/RPMS/noarch/bh-tools-*.rpm "$work"/RPMS/noarch/bh-longdesc-*.rpm
many="$work/db-many"
rpm_ --dbpath "$many" --initdb
rpm_ --dbpath "$many" --justdb --nodeps -i "$work"/RPMS/noarch/bh-many-[0-9]*.rpm
cp "$small/rpmdb.sqlite" "$out/rpmdb-small.sqlite"
cp "$many/rpmdb.sqlite" "$out/rpmdb-many.sqlite"

# The table `t` of the page-size files; test/unit/packages/sqlite-file.test.ts states the same values.
#   rows 1..40: id (the INTEGER PRIMARY KEY), i an integer of each stored width by id % 8, f = id / 4.0,
#   t = "<id>:" + id * 61 times the letter (97 + id % 26) + "é€😀", b = id * 23 zero bytes, n NULL;
#   row 1000: i NULL, f -1.5e300, t 66000 times "z" (overflow pages even at 64 KiB), b empty, n 'not null';
#   row 1001: i 1, f 0.0, t '', b x'00ff7f80e282ac', n 7;
#   rows -2^63, 2^49, 2^53, 2^63-1 (rowids stored as 9-, 8-, 8- and 9-byte varints): i = the rowid,
#   f NULL, t 'edge', b NULL, n NULL.
rows_sql="
CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, f REAL, t TEXT, b BLOB, n);
WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 40)
INSERT INTO t SELECT k,
  CASE k % 8 WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN -100 WHEN 3 THEN 30000 WHEN 4 THEN -8000000
    WHEN 5 THEN 2000000000 WHEN 6 THEN -140000000000000 ELSE 9007199254740993 * (k - 60) END,
  k / 4.0,
  k || ':' || replace(hex(zeroblob(k * 61)), '00', char(97 + k % 26)) || 'é€😀',
  zeroblob(k * 23),
  NULL
FROM c;
INSERT INTO t VALUES (1000, NULL, -1.5e300, replace(hex(zeroblob(66000)), '00', 'z'), x'', 'not null');
INSERT INTO t VALUES (1001, 1, 0.0, '', x'00ff7f80e282ac', 7);
INSERT INTO t (id, t) VALUES (-9223372036854775808, 'edge'), (562949953421312, 'edge'),
  (9007199254740992, 'edge'), (9223372036854775807, 'edge');
UPDATE t SET i = id WHERE t = 'edge';"
rm -f "$out/pages-512.sqlite" "$out/pages-65536.sqlite"
sqlite3 "$out/pages-512.sqlite" 'PRAGMA page_size = 512' '.filectrl reserve_bytes 32' "$rows_sql" >/dev/null
sqlite3 "$out/pages-65536.sqlite" 'PRAGMA page_size = 65536' "$rows_sql"
echo "wrote $out/rpmdb-small.sqlite $out/rpmdb-many.sqlite $out/pages-512.sqlite $out/pages-65536.sqlite"
