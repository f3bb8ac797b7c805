package region

//go:generate go run ./internal/gen -in ../../shared/data/regions/regions.csv -out table_gen.go
