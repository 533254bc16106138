#!/usr/bin/env python3
"""Writes messages/<name>.expected for each messages/<name>.eml from a private Dovecot (README.md).

usage: dovecot_reference.py DOVECOT_ROOT [MESSAGES_DIR]

DOVECOT_ROOT is Debian's dovecot-core and dovecot-imapd unpacked with `dpkg -x` (nothing is installed and
no server runs: Dovecot's imap is started in preauth mode over a pipe, once per FETCH, on a scratch Maildir
holding the message with CRLF lines). Run as root; the imap process drops to nobody.
"""
import os, re, shutil, subprocess, sys, tempfile

SECTIONS = ['', 'HEADER', 'TEXT', '1', '1.MIME', '1.HEADER', '1.TEXT', '1.1', '1.2', '1.2.MIME', '2', '2.MIME',
            '2.HEADER', '2.TEXT', '2.1', '2.1.MIME', '2.2', '2.2.1', '3', '4',
            'HEADER.FIELDS (FROM SUBJECT)', 'HEADER.FIELDS.NOT (FROM SUBJECT)', '2.HEADER.FIELDS (SUBJECT TO)',
            'HEADER.FIELDS (X-NONE)']
PARTIALS = [('', 0, 20), ('TEXT', 2, 5), ('1', 100000, 5), ('HEADER', 10, 1)]


def esc(b):
    out = []
    for c in b:
        if c == 0x5c: out.append('\\\\')
        elif c == 0x0d: out.append('\\r')
        elif c == 0x0a: out.append('\\n')
        elif 0x20 <= c < 0x7f: out.append(chr(c))
        else: out.append('\\x%02x' % c)
    return ''.join(out)


class Dovecot:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.dir = tempfile.mkdtemp(prefix='dovecot-ref-')
        os.chmod(self.dir, 0o777)
        self.home = os.path.join(self.dir, 'home')
        for d in ('run', 'state'):
            os.makedirs(os.path.join(self.dir, d))
        self.conf = os.path.join(self.dir, 'dovecot.conf')
        with open(self.conf, 'w') as f:
            f.write('\n'.join([
                'base_dir = %s/run' % self.dir, 'state_dir = %s/state' % self.dir,
                'log_path = %s/dovecot.log' % self.dir, 'mail_location = maildir:%s/Maildir' % self.home,
                'protocols = imap', 'ssl = no', 'mail_plugin_dir = %s/usr/lib/dovecot/modules' % self.root,
                'first_valid_uid = 0', 'first_valid_gid = 0', 'mail_uid = 65534', 'mail_gid = 65534',
                'default_login_user = nobody', 'default_internal_user = nobody', '']))
        subprocess.run(['chmod', '-R', 'a+rwX', self.dir], check=True)

    def fetch(self, message, command):
        shutil.rmtree(self.home, ignore_errors=True)
        for s in ('cur', 'new', 'tmp'):
            os.makedirs(os.path.join(self.home, 'Maildir', s))
        with open(os.path.join(self.home, 'Maildir', 'cur', '1.msg:2,'), 'wb') as f:
            f.write(message)
        subprocess.run(['chmod', '-R', 'a+rwX', self.home], check=True)
        env = dict(os.environ, LD_LIBRARY_PATH=self.root + '/usr/lib/dovecot', USER='nobody', HOME=self.home)
        script = b'a SELECT INBOX\r\nt0 ' + command + b'\r\nz LOGOUT\r\n'
        out = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
                              self.root + '/usr/bin/doveconf', '-c', self.conf, '-e',
                              self.root + '/usr/lib/dovecot/imap'],
                             input=script, capture_output=True, env=env, timeout=30).stdout
        return out[out.find(b'* 1 FETCH ('):out.find(b'\r\nt0 ')]


def item_value(data, pos):
    """One FETCH item value at data[pos:]: literal, quoted string, NIL or list; (bytes or None, end)."""
    if data[pos:pos + 1] == b'{':
        m = re.match(rb'\{(\d+)\}\r\n', data[pos:])
        start = pos + m.end()
        return data[start:start + int(m.group(1))], start + int(m.group(1))
    if data[pos:pos + 3] == b'NIL':
        return None, pos + 3
    if data[pos:pos + 1] == b'"':
        i, out = pos + 1, b''
        while data[i:i + 1] != b'"':
            if data[i:i + 1] == b'\\': i += 1
            out += data[i:i + 1]
            i += 1
        return out, i + 1
    depth, i = 0, pos
    while True:
        c = data[i:i + 1]
        if c == b'{':
            m = re.match(rb'\{(\d+)\}\r\n', data[i:])
            i += m.end() + int(m.group(1))
            continue
        if c == b'"':
            i += 1
            while data[i:i + 1] != b'"':
                if data[i:i + 1] == b'\\': i += 1
                i += 1
        elif c == b'(':
            depth += 1
        elif c == b')':
            depth -= 1
            if depth == 0: return data[pos:i + 1], i + 1
        i += 1


def main(root, folder):
    dovecot = Dovecot(root)
    for f in sorted(os.listdir(folder)):
        if not f.endswith('.eml'): continue
        message = open(os.path.join(folder, f), 'rb').read().replace(b'\n', b'\r\n')
        items = [('BODY', b'BODY', b'BODY'), ('BODYSTRUCTURE', b'BODYSTRUCTURE', b'BODYSTRUCTURE'),
                 ('ENVELOPE', b'ENVELOPE', b'ENVELOPE')]
        for s in SECTIONS:
            items.append(('BODY[%s]' % s, b'BODY.PEEK[%s]' % s.encode(), b'BODY[%s]' % s.encode()))
        for s, o, c in PARTIALS:
            items.append(('BODY[%s]<%d.%d>' % (s, o, c), b'BODY.PEEK[%s]<%d.%d>' % (s.encode(), o, c),
                          b'BODY[%s]<%d>' % (s.encode(), o)))
        lines = []
        for name, request, response_name in items:
            resp = dovecot.fetch(message, b'FETCH 1 (' + request + b')')
            k = resp.find(response_name + b' ')
            if k < 0:
                sys.exit('%s %s: no %s in %r' % (f, name, response_name, resp[:200]))
            value, _ = item_value(resp, k + len(response_name) + 1)
            lines.append('%s\t%s' % (name, 'NIL' if value is None else esc(value)))
        with open(os.path.join(folder, f[:-4] + '.expected'), 'w') as out:
            out.write('\n'.join(lines) + '\n')
    shutil.rmtree(dovecot.dir, ignore_errors=True)


if __name__ == '__main__':
    if len(sys.argv) < 2: sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), 'messages'))
