module github.com/trackpush/trackpush

go 1.26
