package session

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// sealKey derives the key that seals a session's ID token from the session
// id. Redis keeps only a different hash of the id, so a copy of Redis
// opens no token; the cookie's holder can.
func sealKey(id string) []byte {
	m := hmac.New(sha256.New, []byte(id))
	m.Write([]byte("backdesk session id-token seal v1"))
	return m.Sum(nil)
}

func seal(id, plain string) (string, error) {
	gcm, err := newGCM(id)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := gcm.Seal(nonce, nonce, []byte(plain), nil)
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func unseal(id, sealed string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return "", err
	}
	gcm, err := newGCM(id)
	if err != nil {
		return "", err
	}
	if len(raw) < gcm.NonceSize() {
		return "", errors.New("sealed value too short")
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

func newGCM(id string) (cipher.AEAD, error) {
	block, err := aes.NewCipher(sealKey(id))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
