"""The repository is self-contained: every relative link in its Markdown resolves inside it.

A user who clones the repository has nothing beside it, so a link such as
``../shared/reference/domain-facts.md`` (a file that only existed next to the developers' checkout)
is broken for them. These tests scan every Markdown file of the repository, extract its relative
links (inline ``[text](path#anchor)``, images, reference definitions and HTML ``href``/``src``), and
fail when a link leaves the repository root or names a file or directory that does not exist. They
also fail on any plain-text mention of the sibling ``shared`` directory, in Markdown or in any other
file of the repository. The sourced facts the docs cite live in ``docs/sources/``.

Anchors (``#section``) are not checked, only the file or directory a link points at.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent

#: Directories never scanned when git is not available to list the repository's files.
SKIP_DIRS = {".git", "results", "outputs", "multirun", "build", "node_modules", "__pycache__",
             ".pytest_cache", ".hypothesis"}
#: A mention of the developers' sibling directory, which a clone does not have.
OUTSIDE_MENTION = re.compile(r"\.\./shared/|/work/shared\b|\bshared/reference\b")
#: Text files scanned for OUTSIDE_MENTION besides Markdown.
TEXT_SUFFIXES = {".md", ".py", ".yaml", ".yml", ".toml", ".csv", ".txt", ".cfg", ".ini", ".json", ".html",
                 ".js", ".css", ".sh", ".rst"}

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
INLINE_LINK = re.compile(
    r"!?\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]"            # [text], one level of nested brackets
    r"\(\s*(?P<target><[^<>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"  # (target or (<target with spaces>
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"       #  optional "title")
)
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[(?P<label>[^\]^][^\]]*)\]:[ \t]*(?P<target><[^<>\n]*>|\S+)",
                                  re.MULTILINE)
HTML_LINK = re.compile(r"<(?:a|img|source)\b[^>]*?\b(?:href|src)\s*=\s*[\"'](?P<target>[^\"']*)[\"']",
                       re.IGNORECASE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # http:, https:, mailto:, ftp:, data:, ...


def repository_files(root: Path = ROOT, suffixes: set[str] | None = None) -> list[Path]:
    """The repository's files (tracked, or new and not ignored), optionally only those with ``suffixes``."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                                cwd=root, capture_output=True, check=True, text=True).stdout
        paths = [root / p for p in listed.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        paths = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".venv")
                       and not d.endswith(".egg-info")]
            paths += [Path(folder) / f for f in files]
    return sorted(p for p in paths if p.is_file() and (suffixes is None or p.suffix.lower() in suffixes))


def markdown_files(root: Path = ROOT) -> list[Path]:
    return repository_files(root, {".md"})


def _blank(match: re.Match) -> str:
    """The matched text with everything but newlines replaced by spaces (keeps offsets and line numbers)."""
    return re.sub(r"[^\n]", " ", match.group(0))


def links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every link in Markdown ``text``, outside code blocks and code spans."""
    prose = CODE_SPAN.sub(_blank, FENCE.sub(_blank, text))
    found: list[tuple[int, str]] = []

    def scan(start: int, chunk: str) -> None:
        for m in INLINE_LINK.finditer(chunk):
            found.append((start + m.start("target"), m.group("target")))
            scan(start + m.start("text"), m.group("text"))  # a link inside a link's text, e.g. [![img](a)](b)

    scan(0, prose)
    found += [(m.start("target"), m.group("target")) for m in REFERENCE_DEFINITION.finditer(prose)]
    found += [(m.start("target"), m.group("target")) for m in HTML_LINK.finditer(prose)]
    return sorted((prose.count("\n", 0, offset) + 1, target) for offset, target in found)


def link_problem(source: Path, target: str, root: Path) -> str | None:
    """Why the relative link ``target`` in ``source`` is broken, or None when it is fine or not relative."""
    target = target.strip()
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1].strip()
    if not target or target.startswith("#") or SCHEME.match(target) or target.startswith("//"):
        return None
    path = unquote(re.split(r"[#?]", target, maxsplit=1)[0])
    if not path:
        return None
    if path.startswith("/"):
        return "is an absolute path (use a path relative to the file)"
    root = root.resolve()
    resolved = Path(os.path.normpath(source.resolve().parent / path))
    if resolved != root and root not in resolved.parents:
        return "points outside the repository"
    if not resolved.exists():
        return f"points at {resolved.relative_to(root).as_posix()}, which does not exist"
    return None


def check_markdown(path: Path, root: Path = ROOT) -> list[str]:
    """Every broken relative link and every mention of the sibling shared directory in one Markdown file."""
    text = path.read_text(encoding="utf-8")
    name = path.resolve().relative_to(root.resolve()).as_posix()
    problems = [f"{name}:{line}: link ({target}) {why}"
                for line, target in links(text) if (why := link_problem(path, target, root))]
    problems += mentions_outside(path, root, text)
    return problems


def mentions_outside(path: Path, root: Path = ROOT, text: str | None = None) -> list[str]:
    """Each line of ``path`` that refers to the sibling shared directory, which a clone does not have."""
    if text is None:
        text = path.read_text(encoding="utf-8", errors="replace")
    name = path.resolve().relative_to(root.resolve()).as_posix()
    return [f"{name}:{n}: mentions {m.group(0)!r}, outside the repository (use docs/sources/)"
            for n, line in enumerate(text.splitlines(), start=1) if (m := OUTSIDE_MENTION.search(line))]


# --------------------------------------------------------------------------- tests


def test_the_markdown_files_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in markdown_files()}
    assert {"README.md", "docs/ODD.md", "docs/calibration.md"} <= names, sorted(names)


def test_every_relative_link_in_the_markdown_resolves_inside_the_repository():
    problems = [p for path in markdown_files() for p in check_markdown(path)]
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_no_file_refers_to_the_shared_directory_beside_the_repository():
    this = Path(__file__).resolve()
    problems = [p for path in repository_files(ROOT, TEXT_SUFFIXES) if path.resolve() != this
                and path.suffix.lower() != ".md" for p in mentions_outside(path)]
    assert not problems, "\n".join(problems)


def test_the_sources_the_docs_cite_are_in_the_repository():
    for name in ("domain-facts.md", "calibration-targets.md", "comparable-tools.md"):
        assert (ROOT / "docs" / "sources" / name).is_file(), f"docs/sources/{name} is missing"


def test_the_checker_flags_bad_links(tmp_path):
    """Guard against a vacuous pass: outside, dangling and absolute links and a shared mention are caught."""
    repo = tmp_path / "repo"
    (repo / "docs" / "img").mkdir(parents=True)
    (repo / "docs" / "fine.md").write_text("# Fine\n", encoding="utf-8")
    (repo / "docs" / "img" / "a.png").write_bytes(b"")
    (tmp_path / "outside.md").write_text("exists, but outside the repository\n", encoding="utf-8")
    shared = "../" + "shared/"
    page = repo / "docs" / "page.md"
    page.write_text("\n".join([
        "# Page",                                                        # 1
        "[fine](fine.md#fine) and [up](../docs/fine.md) and [dir](img/)",  # 2
        "![image](img/a.png \"title\") [web](https://example.org/x.md) [mail](mailto:a@b.c) [here](#page)",
        "[outside](../../outside.md)",                                   # 4
        "[dangling](missing.md#part)",                                   # 5
        "```",                                                           # 6
        "[in a code block](nowhere.md)",                                 # 7
        "```",                                                           # 8
        "`[in a code span](nowhere.md)`",                                # 9
        f"See `{shared}reference/domain-facts.md`.",                     # 10
        "[wrapped",                                                      # 11
        "text](also-missing.md) [abs](/etc/passwd)",                     # 12
        "[![badge](img/gone.png)](fine.md)",                             # 13
        "[ref]: ../../outside.md",                                       # 14
    ]) + "\n", encoding="utf-8")

    problems = check_markdown(page, repo)
    text = "\n".join(problems)
    assert "docs/page.md:4: link (../../outside.md) points outside the repository" in text
    assert "docs/page.md:5: link (missing.md#part) points at docs/missing.md, which does not exist" in text
    assert "docs/page.md:10: mentions" in text
    assert "docs/page.md:12: link (also-missing.md)" in text
    assert "docs/page.md:12: link (/etc/passwd) is an absolute path" in text
    assert "docs/page.md:13: link (img/gone.png)" in text
    assert "docs/page.md:14: link (../../outside.md) points outside" in text
    assert sorted(int(p.split(":")[1]) for p in problems) == [4, 5, 10, 12, 12, 13, 14], text
    assert check_markdown(repo / "docs" / "fine.md", repo) == []
