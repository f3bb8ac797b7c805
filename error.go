package trackpush

import (
	"errors"
	"fmt"
)

// Return codes of the protocol (docs/protocol.md §1 and §1.6). They travel as
// strings in the returnCode field.
const (
	CodeOK           = "200" // 提交成功
	CodeUnparsable   = "400" // 无法解析
	CodeInternal     = "500" // 服务器错误 (also a malformed request)
	CodeDuplicate    = "501" // 重复订阅
	CodeSensitive    = "502" // 提交内容含有敏感关键字
	CodeUnauthorized = "600" // 您不是合法的订阅者
	CodeExpired      = "601" // KEY 已过期
	CodeBadCompany   = "700" // 不支持的快递公司
	CodeKeyMissing   = "701" // key缺失 (autonumber)
	CodeNoCompany    = "702" // 无法识别快递公司 (autoCom)
	CodeNotFound     = "404" // not found (admin)
	CodeBadNumber    = "201" // 不是有效的快递单号 (autonumber)
)

// Return codes of the real-time query API (POST /poll/query.do,
// /poll/maptrack.do), as the original service documents them. Its 600 and
// 601 are the subscription API's.
const (
	QueryBadRequest  = "400" // 提交的数据不完整，或者快递公司参数错误
	QueryNoResult    = "500" // 查询无结果，请隔段时间再查
	QueryServerError = "501" // 服务器错误
	QueryTooFrequent = "502" // 服务器繁忙，请求过于频繁
	QueryBadSign     = "503" // 验证签名失败
)

var codeMessages = map[string]string{
	CodeOK:           "提交成功",
	CodeUnparsable:   "无法解析",
	CodeInternal:     "服务器错误",
	CodeDuplicate:    "重复订阅",
	CodeSensitive:    "提交内容含有敏感关键字，被安全防护拦截",
	CodeUnauthorized: "您不是合法的订阅者",
	CodeExpired:      "KEY 已过期",
	CodeBadCompany:   "不支持的快递公司",
	CodeKeyMissing:   "key缺失",
	CodeNoCompany:    "无法识别快递公司",
	CodeBadNumber:    "不是有效的快递单号",
	CodeNotFound:     "not found",
}

var queryMessages = map[string]string{
	QueryBadRequest:  "提交的数据不完整，或者快递公司参数错误",
	QueryNoResult:    "查询无结果，请隔段时间再查",
	QueryServerError: "服务器错误",
	QueryTooFrequent: "服务器繁忙，请求过于频繁",
	QueryBadSign:     "验证签名失败",
	CodeUnauthorized: "您不是合法的订阅者",
	CodeExpired:      "KEY 已过期",
}

// QueryMessage returns the real-time query API's message for a code.
func QueryMessage(code string) string { return queryMessages[code] }

// CodeMessage returns the protocol's standard message for a return code.
func CodeMessage(code string) string { return codeMessages[code] }

// Error is a domain error carrying a protocol return code. The HTTP edge maps
// it to the wire's {result,returnCode,message}; everything else wraps it.
type Error struct {
	Code    string // one of the Code constants
	Message string // shown to the client; the code's standard message if empty
	Detail  string // what exactly was wrong ("number: must be 6–32 characters")
}

// Errorf returns an Error with the code's standard message and a detail.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: CodeMessage(code), Detail: fmt.Sprintf(format, args...)}
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = CodeMessage(e.Code)
	}
	if e.Detail != "" {
		return fmt.Sprintf("%s %s: %s", e.Code, msg, e.Detail)
	}
	return e.Code + " " + msg
}

// ErrorCode returns the code of the first *Error in err's chain, CodeOK for
// nil, and CodeInternal for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return CodeOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
