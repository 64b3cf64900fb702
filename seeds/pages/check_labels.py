# Checks that every selector in pages.toml matches exactly `count` (default 1) elements of its page,
# parsed as HTML5 with scripting on (html5lib), and prints label counts per page.
# Pages with a `file` key are committed here (gzip). Pages without one live outside the repo at
# $REAL_PAGES/<owner>+<name>/<source_path> (default /work/real-pages, brought with the search
# tool's fetch, not committed): their bytes must match `sha256`; a missing file is reported.
# Needs: pip install html5lib lxml cssselect. Usage: python3 check_labels.py [page-id ...]
import sys, gzip, hashlib, tomllib, html5lib
from lxml.cssselect import CSSSelector
import lxml.etree as ET
import os
base = os.path.dirname(os.path.abspath(__file__)) + '/'
cfg = tomllib.load(open(base + 'pages.toml', 'rb'))
real = os.environ.get('REAL_PAGES', '/work/real-pages')
only = set(sys.argv[1:])
bad = 0
missing = 0
for p in cfg['page']:
    if only and p['id'] not in only: continue
    if 'file' in p:
        raw = gzip.open(base + p['file']).read()
    else:
        path = os.path.join(real, p['source_repo'].replace('/', '+'), p['source_path'])
        if not os.path.exists(path):
            missing += 1
            print(f"  MISSING {p['id']}: {path}")
            continue
        raw = open(path, 'rb').read()
        if hashlib.sha256(raw).hexdigest() != p['sha256']:
            bad += 1
            print(f"  BAD {p['id']}: sha256 of {path} differs from pages.toml")
            continue
    if p.get('gzip'):
        raw = gzip.decompress(raw)
    text = raw.decode(p['charset'])
    # lxml refuses the C0 controls XML forbids (a backspace in a script, business insider's
    # U+0014); as spaces they change no element.
    text = text.translate({c: ' ' for c in range(32) if c not in (9, 10, 13)})
    doc = html5lib.parse(text, treebuilder='lxml', namespaceHTMLElements=False, scripting=True)
    def count(sel):
        return len(CSSSelector(sel)(doc))
    n = {'ad': 0, 'negative': 0, 'listing': 0}
    for kind in ('ad', 'negative', 'listing'):
        for a in p.get(kind, []):
            c = count(a['selector'])
            want = a.get('count', 1)
            n[kind] += want
            if c != want:
                bad += 1
                print(f"  BAD {p['id']} {kind} {a['selector']!r}: matches {c}, want {want}")
    forms = {}
    for a in p.get('ad', []):
        forms[a['form']] = forms.get(a['form'], 0) + a.get('count', 1)
    print(p['id'], p['split'], p['type'], 'ads', n['ad'], forms, 'neg', n['negative'], 'listings', p.get('listings', 0), len(raw), 'bytes')
print('pages', len(cfg['page']), 'missing', missing)
print('bad', bad)
