#!/usr/bin/env python3
"""check-mnemonics.py SOURCE-ROOT LANG: in LANG's translation, the access keys of the main window
(the panel's controls, from the parameter registry, and the window's own labels) are all
different, so Alt and a letter always reaches one control."""
import re, sys, os

root, lang = sys.argv[1], sys.argv[2]
def read(path):
    with open(os.path.join(root, path), encoding='utf-8') as f:
        return f.read()

labels = []
for src in ('engine/params/style-params.c', 'engine/motion/motion.c'):
    labels += re.findall(r'\.label = N_\("([^"]*)"\)', read(src))
for ui in ('ui/ink-window.ui', 'ui/ink-controls.ui'):
    labels += [l for l in re.findall(r'<property name="label" translatable="yes">([^<]*)</property>', read(ui))
               if '_' in l]
labels += ['_Preset']   # the panel's preset row (ink-controls.c)
# The empty window's big button opens a photo as the header's Open does: whichever of the two the
# key reaches, it does the same.
labels = [l for l in labels if l != '_Open a Photo…']
po = read('po/%s.po' % lang)
translations = dict(re.findall(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"', po, re.M))
keys, bad = {}, 0
for label in sorted(set(labels)):
    text = translations.get(label) or label
    m = re.search(r'_(\w)', text)
    if m is None:
        print('%s: "%s" has no access key' % (lang, text)); bad += 1; continue
    keys.setdefault(m.group(1).upper(), []).append(text)
for key, texts in sorted(keys.items()):
    if len(texts) > 1:
        print('%s: Alt+%s is %s' % (lang, key, ', '.join(texts))); bad += 1
print('%s: %d access keys in the main window, %d clashes' % (lang, len(set(labels)), bad))
sys.exit(1 if bad else 0)
