#!/usr/bin/python3
"""bundle.py - write the per-platform VPN profiles of one client bundle.

Called by bundle.sh, which has already put NAME.p12, NAME.crt, NAME.key
(encrypted) and ca.crt into the bundle directory. The one proposal every
profile sets is passed in (--ike/--esp) as read from the BUNDLE(...) lines of
src/vpnd/transforms.def; this file only translates its strongSwan keywords
into each platform's own names, and refuses a keyword a platform cannot
express rather than silently setting something else.
"""
import argparse
import base64
import json
import os
import plistlib
import re
import ssl
import sys
import uuid

# strongSwan keyword -> Apple .mobileconfig / Windows Set-VpnConnectionIPsecConfiguration.
APPLE_ENCR = {"aes128": "AES-128", "aes256": "AES-256",
              "aes128gcm16": "AES-128-GCM", "aes256gcm16": "AES-256-GCM"}
APPLE_HASH = {"sha1": "SHA1-96", "sha256": "SHA2-256", "sha384": "SHA2-384", "sha512": "SHA2-512"}
APPLE_DH = {"modp1024": 2, "modp2048": 14, "modp3072": 15, "modp4096": 16,
            "ecp256": 19, "ecp384": 20, "ecp521": 21, "curve25519": 31}
WIN_ENCR = {"aes128": "AES128", "aes256": "AES256",
            "aes128gcm16": "GCMAES128", "aes256gcm16": "GCMAES256"}
WIN_HASH = {"sha1": "SHA1", "sha256": "SHA256", "sha384": "SHA384"}
WIN_DH = {"modp1024": "Group2", "modp2048": "Group14", "ecp256": "ECP256", "ecp384": "ECP384"}
WIN_PFS = {"modp1024": "PFS2", "modp2048": "PFS2048", "ecp256": "ECP256", "ecp384": "ECP384"}
# ESP integrity as Windows AuthenticationTransformConstants.
WIN_ESP_AUTH = {"sha1": "SHA196", "sha256": "SHA256128"}
AEAD = {"aes128gcm16", "aes256gcm16"}
ENCR = set(APPLE_ENCR)
PRF = {"prfsha1": "sha1", "prfsha256": "sha256", "prfsha384": "sha384", "prfsha512": "sha512"}
INTEG = {"sha1", "sha256", "sha384", "sha512"}
DH = set(APPLE_DH)


class BundleError(Exception):
    pass


def split_proposal(text, kind):
    """'aes256gcm16-prfsha384-ecp384' -> dict(encr, integ, prf, dh)."""
    p = {"encr": None, "integ": None, "prf": None, "dh": None}
    for word in text.split("-"):
        slot = ("encr" if word in ENCR else "prf" if word in PRF else
                "integ" if word in INTEG else "dh" if word in DH else None)
        if slot is None:
            raise BundleError(f"{kind} proposal {text!r}: unknown keyword {word!r}")
        if p[slot] is not None:
            raise BundleError(f"{kind} proposal {text!r}: the built-in clients take one {slot} only")
        p[slot] = word
    if p["encr"] is None:
        raise BundleError(f"{kind} proposal {text!r} has no cipher")
    aead = p["encr"] in AEAD
    if kind == "IKE":
        if p["prf"] is None or p["dh"] is None:
            raise BundleError(f"IKE proposal {text!r} needs a PRF and a DH group")
        if not aead and p["integ"] is None:
            raise BundleError(f"IKE proposal {text!r}: a non-AEAD cipher needs an integrity algorithm")
        # Apple and Windows set one hash for both integrity and PRF.
        if p["integ"] is not None and p["integ"] != PRF[p["prf"]]:
            raise BundleError(f"IKE proposal {text!r}: integrity and PRF must use the same hash")
    else:
        if p["prf"] is not None:
            raise BundleError(f"ESP proposal {text!r} cannot have a PRF")
        if not aead and p["integ"] is None:
            raise BundleError(f"ESP proposal {text!r}: a non-AEAD cipher needs an integrity algorithm")
    if aead and p["integ"] is not None:
        raise BundleError(f"{kind} proposal {text!r}: an AEAD cipher takes no integrity algorithm")
    return p


def pick(table, word, platform, what):
    if word not in table:
        raise BundleError(f"{platform} cannot express {what} {word!r}; change BUNDLE(...) in transforms.def")
    return table[word]


def apple_parameters(ike, esp):
    ike_hash = PRF[ike["prf"]]
    ike_sa = {
        "EncryptionAlgorithm": pick(APPLE_ENCR, ike["encr"], "Apple", "cipher"),
        "IntegrityAlgorithm": pick(APPLE_HASH, ike_hash, "Apple", "hash"),
        "DiffieHellmanGroup": pick(APPLE_DH, ike["dh"], "Apple", "DH group"),
        "LifeTimeInMinutes": 1440,
    }
    # Apple wants an integrity value and a DH group in the child parameters
    # even where the proposal has none: for an AEAD cipher the value is
    # ignored, and without PFS the group is only used by iOS on a child
    # rekey, so both repeat the IKE choice (vpnd accepts both).
    child_hash = esp["integ"] or ike_hash
    child_dh = esp["dh"] or ike["dh"]
    child_sa = {
        "EncryptionAlgorithm": pick(APPLE_ENCR, esp["encr"], "Apple", "cipher"),
        "IntegrityAlgorithm": pick(APPLE_HASH, child_hash, "Apple", "hash"),
        "DiffieHellmanGroup": pick(APPLE_DH, child_dh, "Apple", "DH group"),
        "LifeTimeInMinutes": 480,
    }
    return ike_sa, child_sa, 1 if esp["dh"] else 0


def windows_parameters(ike, esp):
    if esp["encr"] in AEAD:
        esp_auth = pick(WIN_ENCR, esp["encr"], "Windows", "cipher")
    else:
        esp_auth = pick(WIN_ESP_AUTH, esp["integ"], "Windows", "ESP integrity")
    return {
        "EncryptionMethod": pick(WIN_ENCR, ike["encr"], "Windows", "cipher"),
        "IntegrityCheckMethod": pick(WIN_HASH, PRF[ike["prf"]], "Windows", "hash"),
        "DHGroup": pick(WIN_DH, ike["dh"], "Windows", "DH group"),
        "CipherTransformConstants": pick(WIN_ENCR, esp["encr"], "Windows", "cipher"),
        "AuthenticationTransformConstants": esp_auth,
        "PfsGroup": pick(WIN_PFS, esp["dh"], "Windows", "PFS group") if esp["dh"] else "None",
    }


def read_pem_der(path):
    with open(path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def apple_profile(a, ike, esp, ca_der, p12):
    ike_sa, child_sa, pfs = apple_parameters(ike, esp)
    # Reverse-DNS payload identifiers; an IPv6 server address has colons.
    server = re.sub(r"[^A-Za-z0-9.-]", "-", a.server)
    base = "org.roadbox." + ".".join(reversed(server.split("."))) + "." + a.name
    ca_uuid, p12_uuid, vpn_uuid, top_uuid = (str(uuid.uuid4()).upper() for _ in range(4))
    ca_payload = {
        "PayloadType": "com.apple.security.root", "PayloadVersion": 1,
        "PayloadIdentifier": base + ".ca", "PayloadUUID": ca_uuid,
        "PayloadDisplayName": a.ca_cn, "PayloadCertificateFileName": "ca.crt",
        "PayloadContent": ca_der,
    }
    # No Password key: the device asks for the printed password on install,
    # so the profile alone does not unlock the key.
    p12_payload = {
        "PayloadType": "com.apple.security.pkcs12", "PayloadVersion": 1,
        "PayloadIdentifier": base + ".identity", "PayloadUUID": p12_uuid,
        "PayloadDisplayName": f"{a.name} ({a.server})",
        "PayloadCertificateFileName": a.name + ".p12",
        "PayloadContent": p12,
    }
    vpn_payload = {
        "PayloadType": "com.apple.vpn.managed", "PayloadVersion": 1,
        "PayloadIdentifier": base + ".vpn", "PayloadUUID": vpn_uuid,
        "PayloadDisplayName": a.title, "UserDefinedName": a.title,
        "VPNType": "IKEv2",
        "IKEv2": {
            "RemoteAddress": a.server,
            "RemoteIdentifier": a.server,
            "LocalIdentifier": a.name,
            "AuthenticationMethod": "Certificate",
            "CertificateType": "ECDSA256" if a.keytype == "ec" else "RSA",
            "PayloadCertificateUUID": p12_uuid,
            "ServerCertificateIssuerCommonName": a.ca_cn,
            "ServerCertificateCommonName": a.server,
            "ExtendedAuthEnabled": 0,
            "IKESecurityAssociationParameters": ike_sa,
            "ChildSecurityAssociationParameters": child_sa,
            "EnablePFS": pfs,
            "DeadPeerDetectionRate": "Medium",
            "DisableMOBIKE": 0,
            "DisableRedirect": 0,
            "EnableCertificateRevocationCheck": 0,
            "UseConfigurationAttributeInternalIPSubnet": 0,
        },
    }
    return {
        "PayloadType": "Configuration", "PayloadVersion": 1,
        "PayloadIdentifier": base, "PayloadUUID": top_uuid,
        "PayloadDisplayName": a.title,
        "PayloadDescription": f"IKEv2 VPN to {a.server} for {a.name}",
        "PayloadOrganization": "roadbox",
        "PayloadRemovalDisallowed": False,
        "PayloadContent": [ca_payload, p12_payload, vpn_payload],
    }


def ps_quote(s):
    return "'" + s.replace("'", "''") + "'"


def windows_script(a, ike, esp):
    w = windows_parameters(ike, esp)
    ipsec = " `\n    ".join(f"-{k} {v}" for k, v in w.items())
    return f"""#Requires -RunAsAdministrator
# roadbox VPN for {a.name}: run as Administrator from the bundle folder:
#   powershell -ExecutionPolicy Bypass -File .\\{a.name}.ps1
# Imports the CA into LocalMachine\\Root and {a.name}.p12 into LocalMachine\\My,
# then creates an IKEv2 connection with machine-certificate authentication
# that proposes exactly the one proposal the VPN server prefers:
#   IKE {a.ike}, ESP {a.esp} (src/vpnd/transforms.def).
$ErrorActionPreference = 'Stop'
$Name   = {ps_quote(a.title)}
$Server = {ps_quote(a.server)}
$Here   = $PSScriptRoot

Import-Certificate -FilePath (Join-Path $Here 'ca.crt') `
    -CertStoreLocation Cert:\\LocalMachine\\Root | Out-Null
$Password = Read-Host -AsSecureString -Prompt 'Password of {a.name}.p12 (printed when it was made)'
Import-PfxCertificate -FilePath (Join-Path $Here '{a.name}.p12') `
    -CertStoreLocation Cert:\\LocalMachine\\My -Password $Password | Out-Null

if (Get-VpnConnection -AllUserConnection -Name $Name -ErrorAction SilentlyContinue) {{
    Remove-VpnConnection -AllUserConnection -Name $Name -Force
}}
Add-VpnConnection -Name $Name -ServerAddress $Server -TunnelType Ikev2 `
    -AuthenticationMethod MachineCertificate -EncryptionLevel Required `
    -AllUserConnection -Force
Set-VpnConnectionIPsecConfiguration -ConnectionName $Name -AllUserConnection `
    {ipsec} `
    -Force
Write-Host "VPN connection '$Name' to $Server created."
"""


def sswan_profile(a, ca_der, p12):
    return {
        "uuid": str(uuid.uuid4()),
        "name": a.title,
        "type": "ikev2-cert",
        "remote": {"addr": a.server, "id": a.server,
                   "cert": base64.b64encode(ca_der).decode()},
        "local": {"id": a.name, "p12": base64.b64encode(p12).decode()},
        "ike-proposal": a.ike,
        "esp-proposal": a.esp,
    }


def swanctl_conf(a):
    conn = "roadbox-" + a.name
    return f"""# swanctl.conf snippet: roadbox VPN for {a.name} (strongSwan 5.8+).
#   sudo install -m 0644 {a.name}.swanctl.conf /etc/swanctl/conf.d/{conn}.conf
#   sudo install -m 0644 ca.crt /etc/swanctl/x509ca/{conn}-ca.crt
#   sudo install -m 0644 {a.name}.crt /etc/swanctl/x509/{a.name}.crt
#   sudo install -m 0600 {a.name}.key /etc/swanctl/private/{a.name}.key
#   sudo swanctl --load-all        (asks for the key's password)
#   sudo swanctl --initiate --child {conn}
connections {{
    {conn} {{
        version = 2
        remote_addrs = {a.server}
        vips = 0.0.0.0
        proposals = {a.ike}
        local {{
            auth = pubkey
            certs = {a.name}.crt
            id = {a.name}
        }}
        remote {{
            auth = pubkey
            id = {a.server}
            cacerts = {conn}-ca.crt
        }}
        children {{
            {conn} {{
                remote_ts = 0.0.0.0/0
                esp_proposals = {a.esp}
            }}
        }}
    }}
}}
"""


def nm_keyfile(a):
    d = f"/etc/roadbox-vpn/{a.name}"
    return f"""# NetworkManager keyfile (NetworkManager-strongswan 1.5+): roadbox VPN for {a.name}.
# Install with the commands in README.txt; NetworkManager asks for the
# key's password when connecting (it is not stored).
[connection]
id={a.title}
uuid={uuid.uuid4()}
type=vpn
autoconnect=false

[vpn]
service-type=org.freedesktop.NetworkManager.strongswan
address={a.server}
certificate={d}/ca.crt
method=cert
cert-source=file
usercert={d}/{a.name}.crt
userkey={d}/{a.name}.key
local-identity={a.name}
remote-identity={a.server}
virtual=yes
encap=no
ipcomp=no
proposal=yes
ike={a.ike}
esp={a.esp}
password-flags=2

[ipv4]
method=auto

[ipv6]
method=ignore
"""


def readme(a):
    d = f"/etc/roadbox-vpn/{a.name}"
    rows = [(a.name + ".mobileconfig", "Apple macOS / iOS / iPadOS profile"),
            (a.name + ".ps1", "Windows 10/11 setup script"),
            (a.name + ".sswan", "strongSwan app for Android"),
            (a.name + ".p12", "your key + certificate + CA (PKCS#12, legacy 3DES/SHA-1)"),
            (f"{a.name}.crt, {a.name}.key", "the same certificate and key as PEM (key encrypted)"),
            ("ca.crt", "the VPN's certificate authority"),
            (a.name + ".swanctl.conf", "Linux: strongSwan swanctl snippet"),
            (a.name + ".nmconnection", "Linux: NetworkManager (strongswan plugin) keyfile")]
    width = max(len(f) for f, _ in rows) + 2
    files = "\n".join("  " + f.ljust(width) + what for f, what in rows)
    return f"""roadbox VPN client bundle for "{a.name}" - server {a.server}
=====================================================================

Your identity is "{a.name}". The password of {a.name}.p12 and {a.name}.key
was shown once when this bundle was made; every import below asks for it.
Keep these files private: together with the password they are your access.

Proposal set by every profile (the server's preferred one):
  IKE {a.ike}    ESP {a.esp}

Files
{files}

macOS / iOS / iPadOS
  Open {a.name}.mobileconfig (AirDrop or mail it to an iPhone; double-click
  on a Mac), then install it in Settings > General > VPN & Device
  Management (macOS: System Settings > Privacy & Security > Profiles) and
  enter the password. The connection "{a.title}" appears under VPN.

Windows 10/11
  Copy the whole folder, open PowerShell as Administrator in it and run:
    powershell -ExecutionPolicy Bypass -File .\\{a.name}.ps1
  It asks for the password. Connect via the network icon > "{a.title}".

Android: strongSwan app (recommended)
  Install "strongSwan VPN Client", then open {a.name}.sswan with it (or in
  the app: menu > Import VPN profile). It asks for the password to import
  the certificate.

Android: built-in client (Android 11+, no app)
  1. Settings > Security > Encryption & credentials > Install a certificate:
     "VPN & app user certificate" -> {a.name}.p12 (asks the password), and
     "CA certificate" -> ca.crt.
  2. Settings > Network > VPN > Add:
       Name:                 {a.title}
       Type:                 IKEv2/IPSec RSA
       Server address:       {a.server}
       IPSec identifier:     {a.name}
       IPSec user certificate: the one just installed ({a.name})
       IPSec CA certificate: the one just installed
       IPSec server certificate: (received from server)
  The built-in client picks its own algorithms (no ECP groups); the server
  also accepts those (MODP 2048-4096, Curve25519).

Linux: NetworkManager (package network-manager-strongswan)
    sudo install -d -m 0700 {d}
    sudo install -m 0644 ca.crt {a.name}.crt {d}/
    sudo install -m 0600 {a.name}.key {d}/
    sudo install -m 0600 {a.name}.nmconnection /etc/NetworkManager/system-connections/
    sudo nmcli connection reload
    nmcli connection up "{a.title}" --ask
  (NetworkManager-strongswan before 1.5: edit the file to say method=key.)

Linux: strongSwan swanctl (package strongswan-swanctl + charon)
  See the commands at the top of {a.name}.swanctl.conf.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for opt in ("name", "server", "keytype", "ike", "esp", "ca-cn", "dir"):
        ap.add_argument("--" + opt, required=True)
    a = ap.parse_args()
    a.title = f"roadbox {a.server}"
    try:
        ike = split_proposal(a.ike, "IKE")
        esp = split_proposal(a.esp, "ESP")
        ca_der = read_pem_der(os.path.join(a.dir, "ca.crt"))
        with open(os.path.join(a.dir, a.name + ".p12"), "rb") as f:
            p12 = f.read()
        out = {
            a.name + ".mobileconfig": plistlib.dumps(apple_profile(a, ike, esp, ca_der, p12)),
            a.name + ".ps1": windows_script(a, ike, esp).replace("\n", "\r\n").encode("ascii"),
            a.name + ".sswan": (json.dumps(sswan_profile(a, ca_der, p12), indent=2) + "\n").encode(),
            a.name + ".swanctl.conf": swanctl_conf(a).encode(),
            a.name + ".nmconnection": nm_keyfile(a).encode(),
            "README.txt": readme(a).encode(),
        }
    except (BundleError, OSError, ValueError) as e:
        print(f"bundle.py: error: {e}", file=sys.stderr)
        return 1
    for fname, data in out.items():
        with open(os.path.join(a.dir, fname), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
