// Package direct follows parcels on the carriers' own open platforms, with
// no aggregator in between: an upstream (source.Upstream) per carrier that
// queries its trace API — SF (顺丰), ZTO (中通), J&T (极兔), STO (申通), YTO
// (圆通) and Deppon (德邦) — and a receiver of the carriers' route pushes
// (POST /v1/carriers/{code}/push) that checks each carrier's signature over
// the raw bytes, answers the carrier's own acknowledgement, deduplicates on
// the carrier's idempotency key and ingests through source.Ingester.
//
// Yunda (韵达) and EMS have provisional query clients: their signing is
// solid, their answers' shapes are inferred, and their pushes are unknown.
// JD Logistics and Cainiao have only their signing here (JDSign,
// CainiaoDigest): the public sources disagree on their answers' shapes, so
// a client would rest on a guess.
//
// What each carrier's wire looks like, and how sure we are of each part,
// is ../shared/spec/carriers.md; the code says where a shape rests on a
// single unofficial source ("provisional"). Signing is pure and tested with
// every test vector of that page (sign.go). Each carrier's operation codes
// map to states (codes.go) that package status reconciles with the text
// engine's reading.
//
// The carriers cannot be reached from here; package carrierfake holds
// faithful fakes of their platforms, written independently of this
// package, which the tests and `trackpush demo --carriers-fake` run
// against.
package direct
