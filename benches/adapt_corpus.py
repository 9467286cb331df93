#!/usr/bin/env python3
"""Rewrite a gen_corpus.py content/ folder in place so that picket accepts it.

picket (as of this harness) rejects two things the shared corpus writes:
  * `sort_by: date` in section `_index.md` front matter (unknown key; picket's
    default listing order is already newest-first, the same order);
  * `date: 2020-01-01T00:37:00Z` (a UTC timestamp; picket's `date` is a civil
    date, so the time and `Z` are dropped: `date: 2020-01-01`).
Only the front matter block is touched.
Usage: adapt_corpus.py CONTENT_DIR [--only sort_by|dates]   (default: both)
Prints how many files changed.
"""
import os
import re
import sys

DATE = re.compile(r"^(date|updated): (\d{4}-\d{2}-\d{2})T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?\s*$")


def adapt(text, sort_by=True, dates=True):
    if not text.startswith("---\n"):
        return text
    end = text.find("\n---\n", 3)
    if end < 0:
        return text
    lines = []
    for line in text[4:end].split("\n"):
        if sort_by and line.startswith("sort_by:"):
            continue
        m = DATE.match(line) if dates else None
        if m:
            line = "%s: %s" % (m.group(1), m.group(2))
        lines.append(line)
    return "---\n" + "\n".join(lines) + text[end:]


def main():
    root = sys.argv[1]
    only = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--only" else None
    kinds = {"sort_by": only in (None, "sort_by"), "dates": only in (None, "dates")}
    changed = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            if not name.endswith(".md"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            new = adapt(text, **kinds)
            if new != text:
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(new)
                changed += 1
    print("adapt_corpus (%s): %d files changed in %s" % (only or "sort_by+dates", changed, root))


if __name__ == "__main__":
    main()
