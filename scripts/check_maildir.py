#!/usr/bin/env python3
"""Reads every message an SMTP sink (aiosmtpd's Mailbox handler) stored in a Maildir, with
Python's own `email` package: an independent check of what SaferStreets sends.

Usage: check_maildir.py MAILDIR MINIMUM [FORBIDDEN ...]

Each message must parse under the strict default policy with From, To, Subject, Date and
Message-ID, have a text/plain UTF-8 body that decodes, lines of at most 998 octets, and every
set-password link whole (a 43-character token). No message may contain any FORBIDDEN text
(test passwords, a victim's test name or number). Exits 1 with what was wrong.
"""
import email
import email.policy
import mailbox
import re
import sys


def main() -> int:
    folder, minimum, forbidden = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    problems, count = [], 0
    for key, raw in mailbox.Maildir(folder, factory=None, create=False).iteritems():
        count += 1
        data = raw.as_bytes()
        msg = email.message_from_bytes(data, policy=email.policy.default)
        where = f"message {key} to {msg.get('To', '?')}"
        for header in ["From", "To", "Subject", "Date", "Message-ID"]:
            if msg.get(header) is None:
                problems.append(f"{where}: no {header} header")
        if msg.defects:
            problems.append(f"{where}: defects {msg.defects}")
        if any(len(line) > 998 for line in data.split(b"\n")):
            problems.append(f"{where}: a line over 998 octets")
        if msg.get_content_type() != "text/plain" or msg.get_content_charset() != "utf-8":
            problems.append(f"{where}: not text/plain in UTF-8")
        body = msg.get_content()
        text = str(msg.get("Subject", "")) + "\n" + body
        for token in re.findall(r"/password/reset\?token=(\S*)", body):
            if not re.fullmatch(r"[A-Za-z0-9_-]{43}", token):
                problems.append(f"{where}: a set-password link cut or changed ({len(token)} characters)")
        for word in forbidden:
            if word in text or word in data.decode("utf-8", "replace"):
                problems.append(f"{where}: contains forbidden text {word!r}")
    if count < minimum:
        problems.append(f"only {count} messages arrived; at least {minimum} expected")
    for p in problems:
        print("mail check:", p)
    print(f"mail check: {count} messages read with Python's email package, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
