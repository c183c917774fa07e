#!/usr/bin/env python3
"""check-mnemonics.py SOURCE-ROOT LANG: in LANG's translation, the access keys of the main window
(the panel's controls, from the parameter registry, and the window's own labels) are all
different, so Alt and a letter always reaches one control: with a photo open (every panel
section) and with a clip open (the style section and the clip bar)."""
import re, sys, os

root, lang = sys.argv[1], sys.argv[2]
def read(path):
    with open(os.path.join(root, path), encoding='utf-8') as f:
        return f.read()

labels = re.findall(r'\.label = N_\("([^"]*)"\)', read('engine/params/style-params.c'))
for ui in ('ui/ink-window.ui', 'ui/ink-controls.ui'):
    labels += [l for l in re.findall(r'<property name="label" translatable="yes">([^<]*)</property>', read(ui))
               if '_' in l]
labels += ['_Preset']   # the panel's preset row (ink-controls.c)
# The empty window's big button opens a photo as the header's Open does: whichever of the two the
# key reaches, it does the same.
labels = [l for l in labels if l != '_Open a Photo…']
# A photo adds the loop, motion and effect sections; a clip hides them and shows the clip bar.
photo = labels + re.findall(r'\.label = N_\("([^"]*)"\)', read('engine/motion/motion.c'))
clip = labels + [l for l in re.findall(r'_\("([^"]*)"\)', read('ui/ink-clip-bar.c')) if re.search(r'_\w', l)]
po = read('po/%s.po' % lang)
translations = dict(re.findall(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"', po, re.M))
bad = 0
for mode, labels in (('photo', photo), ('clip', clip)):
    keys = {}
    for label in sorted(set(labels)):
        text = translations.get(label) or label
        m = re.search(r'_(\w)', text)
        if m is None:
            print('%s: "%s" has no access key' % (lang, text)); bad += 1; continue
        keys.setdefault(m.group(1).upper(), []).append(text)
    for key, texts in sorted(keys.items()):
        if len(texts) > 1:
            print('%s, %s open: Alt+%s is %s' % (lang, mode, key, ', '.join(texts))); bad += 1
    print('%s: %d access keys in the main window with a %s open' % (lang, len(set(labels)), mode))
print('%s: %d clashes' % (lang, bad))
sys.exit(1 if bad else 0)
