#!/bin/bash
# mkca.sh DIR - a throwaway test CA: server (RSA), alice (RSA), bob (ECDSA P-256), carol (revoked)
set -eu
d=$1; mkdir -p "$d"; cd "$d"
cat > ca.cnf <<'C'
[ca]
default_ca = tca
[tca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 30
default_crl_days = 30
policy = any
copy_extensions = copy
[any]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = roadbox test CA
[v3_ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
C
: > index.txt; echo 1000 > serial; echo 1000 > crlnumber
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -config ca.cnf -extensions v3_ca 2>/dev/null
mk() { # name keyopts san eku [issuer]
	local iss=${5:-ca}
	openssl req -new -newkey $2 -nodes -keyout $1.key -out $1.csr -subj "/CN=$1" \
		-addext "subjectAltName=$3" -addext "extendedKeyUsage=$4" 2>/dev/null
	openssl ca -batch -config ca.cnf -cert $iss.crt -keyfile $iss.key -in $1.csr -out $1.crt 2>/dev/null
}
mkim() { # name: an intermediate CA under the root
	openssl req -new -newkey rsa:2048 -nodes -keyout $1.key -out $1.csr -subj "/CN=$1" \
		-addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in $1.csr -out $1.crt 2>/dev/null
}
mk server rsa:2048 DNS:vpn.test serverAuth,1.3.6.1.5.5.8.2.2
mk alice rsa:2048 email:alice@test clientAuth
mk bob "ec -pkeyopt ec_paramgen_curve:P-256" email:bob@test clientAuth
mk carol rsa:2048 email:carol@test clientAuth
mk serverec "ec -pkeyopt ec_paramgen_curve:P-384" DNS:vpn.test serverAuth,1.3.6.1.5.5.8.2.2
mkim im1
mkim im2
mk dave rsa:2048 email:dave@test clientAuth im1
mk erin rsa:2048 email:erin@test clientAuth im2
openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -revoke carol.crt 2>/dev/null
openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -revoke im2.crt 2>/dev/null
openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -gencrl -out crl.pem 2>/dev/null
echo vpn.test > server.id
