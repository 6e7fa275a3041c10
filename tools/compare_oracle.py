#!/usr/bin/env python3
"""Developer aid: compare `mailguard mime-dump` output dir with oracle dumps, by the rules
of ../shared/corpus/mime/README.md. The authoritative check is the xunit corpus test."""
import json, os, re, sys

def norm(s):
    if s is None: return ''
    return re.sub(r'\s+', ' ', s).strip()

def cmp_msg(o, p, path, out, tol):
    deb = o.get('debatable', {})
    star = '*' in deb or tol
    for f in ('from','to','cc','bcc','reply_to'):
        a, b = o['headers'][f], p['headers'][f]
        ok = len(a) == len(b) and all(x['address'] == y['address'] and norm(x['name']) == norm(y['name']) and norm(x['group']) == norm(y['group']) for x, y in zip(a, b))
        if not ok and not (star or f in deb): out.append((path + ' ' + f, a, b))
    for f in ('subject',):
        if norm(o['headers'][f]) != norm(p['headers'][f]) and not (star or f in deb): out.append((path+' '+f, o['headers'][f], p['headers'][f]))
    if (o['headers']['message_id'] or '') != (p['headers']['message_id'] or '') and not (star or 'message_id' in deb): out.append((path+' message_id', o['headers']['message_id'], p['headers']['message_id']))
    od, pd = o['headers']['date'], p['headers']['date']
    if ((od or {}).get('utc')) != ((pd or {}).get('utc')) and not (star or 'date' in deb): out.append((path+' date', od, pd))
    cmp_ent(o['body'], p['body'], path + '/body', out, star)

def cmp_ent(o, p, path, out, tol):
    deb = o.get('debatable', {})
    star = tol or '*' in deb
    for f in ('content_type','charset','content_disposition','content_transfer_encoding'):
        if (o[f] or '').lower() != (p[f] or '').lower() and not (star or f in deb): out.append((path+' '+f, o[f], p[f]))
    if (o['filename'] or '') != (p['filename'] or '') and not (star or 'filename' in deb): out.append((path+' filename', o['filename'], p['filename']))
    if o['kind'] != p['kind']:
        if not (star or 'kind' in deb): out.append((path+' kind', o['kind'], p['kind']))
        return
    if o['kind'] == 'multipart':
        if len(o['parts']) != len(p['parts']):
            if not (star or 'parts' in deb or 'kind' in deb): out.append((path+' parts', len(o['parts']), len(p['parts'])))
            return
        for i,(a,b) in enumerate(zip(o['parts'], p['parts'])):
            cmp_ent(a, b, path+'/%d'%(i+1), out, star or 'kind' in deb or 'parts' in deb)
    elif o['kind'] == 'message':
        cmp_msg(o['message'], p['message'], path+'/message', out, star or 'kind' in deb)
    else:
        if o['sha256'] != p['sha256'] and not (star or 'sha256' in deb): out.append((path+' sha256', o['size'], p['size']))

odir, pdir = sys.argv[1], sys.argv[2]
fails = 0; n = 0
for f in sorted(os.listdir(odir)):
    if not f.endswith('.eml.json'): continue
    n += 1
    o = json.load(open(os.path.join(odir, f)))
    try: p = json.load(open(os.path.join(pdir, f)))
    except Exception as e: print('MISSING', f, e); fails += 1; continue
    out = []
    cmp_msg(o['message'], p['message'], '', out, False)
    if out:
        fails += 1
        print(f)
        for x in out[:6]: print('   ', x)
print('%d/%d pass' % (n - fails, n))
