#!/usr/bin/env python3
"""check-flatpak.py SOURCE-ROOT: the Flatpak manifest parses, builds Inkloop with meson from the
source tree, its id is the desktop file's, and every dependency() in the meson.build files comes
from the runtime (x-runtime-provides) or from one of its modules (x-provides)."""
import json, os, re, sys

root = sys.argv[1]
path = os.path.join(root, 'build-aux', 'flatpak', 'io.github.inkloop.Inkloop.json')
with open(path, encoding='utf-8') as f:
    manifest = json.load(f)
bad = []
provided = set(manifest.get('x-runtime-provides', []))
for module in manifest['modules']:
    if not module.get('sources'):
        bad.append('module %s has no sources' % module['name'])
    provided.update(module.get('x-provides', []))
app = manifest['modules'][-1]
if app['name'] != 'inkloop' or app.get('buildsystem') != 'meson':
    bad.append('the last module must build inkloop with meson')
if not os.path.exists(os.path.join(root, 'data', manifest['id'] + '.desktop.in')):
    bad.append('no data/%s.desktop.in: the id must be the desktop file\'s' % manifest['id'])
needed = set()
for dirpath, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if not d.startswith('.') and not d.startswith('build')]
    if 'meson.build' in files:
        with open(os.path.join(dirpath, 'meson.build'), encoding='utf-8') as f:
            text = f.read()
        needed.update(re.findall(r"dependency\('([^']+)'", text))
        needed.update(re.findall(r"find_program\('(glslang[^']*)'", text))
for name in sorted(needed - provided):
    bad.append('%s (used in meson.build) is neither in the runtime nor in a module' % name)
for line in bad:
    print('flatpak manifest: ' + line)
print('flatpak manifest: %d modules; %d dependencies, all provided' % (len(manifest['modules']), len(needed))
      if not bad else 'flatpak manifest: %d problems' % len(bad))
sys.exit(1 if bad else 0)
