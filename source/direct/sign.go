package direct

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/trackpush/trackpush/internal/sm4"
)

// Signing rules of the carriers' open platforms (carriers.md §1.1). Each is
// a pure function of the exact strings sent: callers marshal a payload once,
// sign that string and send that same string (§1.2).

// b64MD5 is the default digest: Base64 of the raw 16-byte MD5.
func b64MD5(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// hexMD5 is the lower-case hex MD5.
func hexMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// javaURLEncoder turns url.QueryEscape's output into Java's URLEncoder's:
// Java keeps '*' and escapes '~' (§1.3).
var javaURLEncoder = strings.NewReplacer("%2A", "*", "~", "%7E")

// JavaURLEncode encodes s as Java's URLEncoder.encode(s, "UTF-8") does:
// space as '+', letters, digits and "*-_." kept, everything else as
// upper-case %XX of its UTF-8 bytes.
func JavaURLEncode(s string) string { return javaURLEncoder.Replace(url.QueryEscape(s)) }

// SFDigest is SF's msgDigest: Base64(MD5(JavaURLEncode(msgData + timestamp
// + checkWord))).
func SFDigest(msgData, timestamp, checkWord string) string {
	return b64MD5(JavaURLEncode(msgData + timestamp + checkWord))
}

// ZTODigest is ZTO's x-datadigest of a JSON request, Base64(MD5(body +
// appSecret)), and the data_digest of its pushes (over data).
func ZTODigest(body, appSecret string) string { return b64MD5(body + appSecret) }

// STODigest is the data_digest of STO's LINK gateway: Base64(MD5(content +
// secretKey)).
func STODigest(content, secretKey string) string { return b64MD5(content + secretKey) }

// YTODigest is the sign of YTO's open platform: Base64(MD5(param + method +
// v + secret)).
func YTODigest(param, method, v, secret string) string { return b64MD5(param + method + v + secret) }

// YTOLegacyPushDigest is the data_digest of YTO's legacy XML push:
// Base64(MD5(xml + partnerID)).
func YTOLegacyPushDigest(xml, partnerID string) string { return b64MD5(xml + partnerID) }

// JTDigest is J&T's digest header: Base64(MD5(bizContent + privateKey)).
func JTDigest(bizContent, privateKey string) string { return b64MD5(bizContent + privateKey) }

// JTBizDigest is the business digest J&T's order and quote APIs carry
// inside bizContent (not trace and subscribe): Base64(MD5(customerCode +
// UPPER(hex(MD5(password + "jadada236t2"))) + privateKey)).
func JTBizDigest(customerCode, password, privateKey string) string {
	return b64MD5(customerCode + strings.ToUpper(hexMD5(password+"jadada236t2")) + privateKey)
}

// DepponDigest is Deppon's digest: Base64 of the 32-character lower-case
// hex MD5 of params + appKey + timestamp — base64 of the hex text, not of
// the raw digest.
func DepponDigest(params, appKey, timestamp string) string {
	return base64.StdEncoding.EncodeToString([]byte(hexMD5(params + appKey + timestamp)))
}

// YundaSign is Yunda's sign header: lower-case hex MD5(body + "_" +
// appSecret).
func YundaSign(body, appSecret string) string { return hexMD5(body + "_" + appSecret) }

// JDSign is the md5-salt signature of JD Logistics' LOP gateway (from the
// official SDK): lower-case hex MD5(secret + "access_token"+token +
// "app_key"+appKey + "method"+path + "param_json"+body +
// "timestamp"+timestamp + "v"+"2.0" + secret).
func JDSign(secret, token, appKey, path, body, timestamp string) string {
	return hexMD5(secret + "access_token" + token + "app_key" + appKey + "method" + path +
		"param_json" + body + "timestamp" + timestamp + "v" + "2.0" + secret)
}

// CainiaoDigest is the data_digest of Cainiao's LINK gateway:
// Base64(MD5(logistics_interface + appSecret)).
func CainiaoDigest(logisticsInterface, appSecret string) string {
	return b64MD5(logisticsInterface + appSecret)
}

// EMSEnvelope is the logitcsInterface of EMS's open platform: "|$4|" +
// Base64(SM4-ECB-PKCS7(key = Base64Decode(signKey), businessJSON +
// signKey)). signKey must decode to 16 bytes.
func EMSEnvelope(businessJSON, signKey string) (string, error) {
	key, err := base64.StdEncoding.DecodeString(signKey)
	if err != nil {
		return "", err
	}
	ct, err := sm4.EncryptECB(key, []byte(businessJSON+signKey))
	if err != nil {
		return "", err
	}
	return "|$4|" + base64.StdEncoding.EncodeToString(ct), nil
}
