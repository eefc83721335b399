"""Test certificates for the interop tests, made with the OpenSSL CLI.

make_pki(dir) writes, in the layout of the box's CA tarball (docs: the
shared "encrypted CA tarball" interface):
    ca.crt ca.key crl.pem server.crt server.key server.id
and one directory per client under clients/NAME/ (NAME.crt, NAME.key,
chain.pem = the certificates between the client and the CA, if any):
    alice    RSA-3072, the ordinary road warrior
    erin     ECDSA P-256 key (the CA still signs with RSA)
    frank    RSA-4096 key under two RSA-4096 intermediate CAs whose
             certificates carry long padding extensions: an IKE_AUTH far
             above 1280 bytes, so IKE fragmentation is needed
    mallory  RSA, revoked in crl.pem
Identities are FQDNs (the PKI scripts' convention: name = IKE ID = dNSName
SAN = CN). Everything is cached: a second call with an existing dir that
has every file returns at once.

When the PKI module exists (scripts/pki/module.mk), the CA, alice and
mallory come from the project's own scripts (`make ca`, `make client`,
`make revoke`: the path a site admin takes); erin and frank, whose key types
or chain the PKI does not make, are signed here with the CA's key, and
frank then is one big certificate (RSA-4096, padded) since the PKI's CA
allows no intermediates (pathlen:0). client_files() finds a client's files
in either layout.
"""
import glob
import os
import subprocess

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

SERVER_ID = "vpn.roadbox.test"
CLIENTS = ("alice", "erin", "frank", "mallory")
REVOKED = ("mallory",)

_CNF = """
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.crt
private_key = $dir/ca.key
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 730
default_crl_days = 3650
policy = pol
unique_subject = no
copy_extensions = none
[ pol ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ext_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ext_im ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
# padding: makes the chain large (IKE fragmentation test)
1.3.6.1.4.1.55555.1 = ASN1:UTF8String:{pad}
[ ext_server ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, 1.3.6.1.5.5.8.2.2
subjectAltName = DNS:{server}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_client_big ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = DNS:$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
1.3.6.1.4.1.55555.1 = ASN1:UTF8String:{pad}
[ ext_client ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = DNS:$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


def _ossl(args, env=None, cwd=None):
    e = dict(os.environ, SAN="unused")   # openssl.cnf expands $ENV::SAN on every load
    e.update(env or {})
    p = subprocess.run(["openssl"] + args, env=e, cwd=cwd, capture_output=True, text=True,
                       timeout=300)
    if p.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(args[:2]), p.stderr[-600:]))
    return p.stdout


def _key(path, kind):
    if kind == "ec":
        _ossl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
               "-out", path])
    else:
        _ossl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:%d" % kind,
               "-out", path])
    os.chmod(path, 0o600)


def _issue(d, cnf, name, ext, key, out, ca_crt, ca_key, san="unused"):
    """Sign a CSR for /O=roadbox/CN=name with ca_crt/ca_key."""
    csr = out + ".csr"
    _ossl(["req", "-config", cnf, "-new", "-key", key, "-subj", "/O=roadbox/CN=%s" % name,
           "-out", csr])
    _ossl(["x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-set_serial",
           str(int.from_bytes(os.urandom(8), "big")), "-days", "730", "-sha256",
           "-extfile", cnf, "-extensions", ext, "-out", out], env={"SAN": san})
    os.unlink(csr)


def client_files(d, name):
    """(crt, key, [intermediate certs]) of a client in either layout."""
    for cd in [os.path.join(d, sub, name) for sub in ("clients", "extra")] + \
            sorted(glob.glob(os.path.join(d, "revoked", name + "-*"))):
        crt = os.path.join(cd, name + ".crt")
        if os.path.exists(crt):
            ims = [os.path.join(cd, "im%d.crt" % i) for i in (1, 2)]
            return crt, os.path.join(cd, name + ".key"), [i for i in ims if os.path.exists(i)]
    raise FileNotFoundError("no certificate for client %s in %s" % (name, d))


def complete(d):
    need = ["ca.crt", "ca.key", "crl.pem", "server.crt", "server.key", "server.id", ".complete"]
    return all(os.path.exists(os.path.join(d, f)) for f in need)


def _make(d, target, **var):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    work = os.path.join(os.path.dirname(d), "pki-make")
    cmd = ["make", "-s", "-C", TOP, "O=" + os.path.join(work, "build"),
           "OUT=" + os.path.join(work, "out"), "CA_DIR=" + d, target]
    cmd += ["%s=%s" % kv for kv in var.items()]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), (p.stdout + p.stderr)[-800:]))


def make_pki(d):
    d = os.path.abspath(d)
    if complete(d):
        return d
    if os.path.exists(os.path.join(TOP, "scripts", "pki", "module.mk")) and \
            not os.environ.get("INTEROP_OPENSSL_PKI"):
        return _make_pki_scripts(d)
    return _make_pki_openssl(d)


def _make_pki_scripts(d):
    import shutil
    shutil.rmtree(d, ignore_errors=True)
    _make(d, "ca", SERVER_NAME=SERVER_ID, KEY="rsa")
    for c in ("alice", "mallory"):
        _make(d, "client", NAME=c)
    _make(d, "revoke", NAME="mallory")
    cnf = os.path.join(d, "extra.cnf")
    with open(cnf, "w") as f:
        f.write(_CNF.format(dir=d, server=SERVER_ID, pad="x" * 3000))
    ca_crt, ca_key = os.path.join(d, "ca.crt"), os.path.join(d, "ca.key")
    for c, kind, ext in (("erin", "ec", "ext_client"), ("frank", 4096, "ext_client_big")):
        cd = os.path.join(d, "extra", c)
        os.makedirs(cd, exist_ok=True)
        key = os.path.join(cd, c + ".key")
        _key(key, kind)
        _issue(d, cnf, c, ext, key, os.path.join(cd, c + ".crt"), ca_crt, ca_key, san=c)
    open(os.path.join(d, ".complete"), "w").close()
    return d


def _make_pki_openssl(d):
    os.makedirs(os.path.join(d, "newcerts"), exist_ok=True)
    cnf = os.path.join(d, "openssl.cnf")
    with open(cnf, "w") as f:
        f.write(_CNF.format(dir=d, server=SERVER_ID, pad="x" * 1500))
    os.makedirs(os.path.join(d, "clients"), exist_ok=True)
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "crlnumber"), "w") as f:
        f.write("01\n")
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("1000\n")
    ca_crt, ca_key = os.path.join(d, "ca.crt"), os.path.join(d, "ca.key")
    _key(ca_key, 3072)
    _ossl(["req", "-config", cnf, "-new", "-x509", "-key", ca_key, "-days", "3650",
           "-subj", "/O=roadbox/CN=roadbox test CA", "-extensions", "ext_ca", "-sha256",
           "-out", ca_crt])
    _key(os.path.join(d, "server.key"), 3072)
    _issue(d, cnf, SERVER_ID, "ext_server", os.path.join(d, "server.key"),
           os.path.join(d, "server.crt"), ca_crt, ca_key)
    with open(os.path.join(d, "server.id"), "w") as f:
        f.write(SERVER_ID + "\n")

    kinds = {"alice": 3072, "erin": "ec", "frank": 4096, "mallory": 3072}
    for c in CLIENTS:
        cd = os.path.join(d, "clients", c)
        os.makedirs(cd, exist_ok=True)
        key, crt = os.path.join(cd, c + ".key"), os.path.join(cd, c + ".crt")
        _key(key, kinds[c])
        issuer_crt, issuer_key, chain = ca_crt, ca_key, []
        if c == "frank":
            # two intermediate CAs between frank and the root
            for i in (1, 2):
                ik, ic = os.path.join(cd, "im%d.key" % i), os.path.join(cd, "im%d.crt" % i)
                _key(ik, 4096)
                _issue(d, cnf, "roadbox test intermediate %d" % i, "ext_im", ik, ic,
                       issuer_crt, issuer_key)
                issuer_crt, issuer_key = ic, ik
                chain.insert(0, ic)
        _issue(d, cnf, c, "ext_client", key, crt, issuer_crt, issuer_key, san=c)
        with open(os.path.join(cd, "chain.pem"), "w") as w:
            for ic in chain:
                w.write(open(ic).read())
    # Revocation through `openssl ca`: needs the certificates in its index.
    for c in REVOKED:
        crt = os.path.join(d, "clients", c, c + ".crt")
        _ossl(["ca", "-config", cnf, "-valid", crt])
        _ossl(["ca", "-config", cnf, "-revoke", crt, "-crl_reason", "keyCompromise"])
    _ossl(["ca", "-config", cnf, "-gencrl", "-out", os.path.join(d, "crl.pem")])
    open(os.path.join(d, ".complete"), "w").close()
    return d


if __name__ == "__main__":
    import sys
    print(make_pki(sys.argv[1]))
