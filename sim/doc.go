// Package sim is a deterministic simulated carrier world: the parcels of
// the ten most used Chinese carriers of 2019 (youzhengguonei, yunda,
// zhongtong, shunfeng, yuantong, huitongkuaidi, shentong, jd, tiantian,
// ems), each moving through its carrier's own hub network and scanned in
// its carrier's own words, with the ground truth of every parcel. The demo,
// the load tests and the ETA evaluation run against it as they would
// against carriers we cannot reach.
//
//	w := sim.NewWorld(sim.Config{Seed: 1, Rates: sim.DefaultRates()})
//	p := w.Parcel(0)             // the same parcel for the same seed and index
//	raws := p.Visible(now)       // what an upstream would answer at now
//	q, ok := w.Lookup(p.Com, p.Nu)
//
// A parcel is a function of (Seed, index) only: Parcel(i) gives the same
// parcel whether generated first, last or concurrently with others.
// Generating a parcel registers it for Lookup. World is safe for
// concurrent use.
//
// # Geography and networks
//
// The world is built on 320 real prefecture-level cities of every
// province of the mainland, with up to four county-level areas each and up
// to three towns per area, kept in cities.txt as 12-digit division codes;
// names and centres come from package region. A carrier serves every city
// (the private ones leave a few remote ones to the post) with one hub per
// city, and some of the big cities' hubs are its regional hubs (all four
// of 北京, 上海, 广州, 深圳 and most provincial capitals and e-commerce
// centres); it has two outlets per area and, for YTO and Yunda, a
// distribution company per city. Networks depend on the carrier only: a
// carrier's geography is the same in every world.
//
// Sites are named the carrier's way: YTO 深圳转运中心 / 广东省深圳市坂田公司,
// ZTO 上海浦东中心 / 外高桥北部 under a 【上海市】 tag, Yunda 广东广州分拨中心 /
// 广东广州白云区嘉禾公司, STO 山东潍坊转运中心 / 山东潍坊寒亭营业厅, SF
// 郑州新郑集散中心 / 郑州市郑东新区…营业点, JD 西安灞桥分拣中心 / 西安兴善营业部,
// EMS 杭州处理中心 / 杭州邮政速递…揽投站, China Post 广州邮区中心局 / …揽投部,
// Best 杭州转运中心 / 江干二部 under 杭州市, TTK …中转部 / …分部.
//
// # A parcel's way
//
// The sender's and receiver's areas are drawn by traffic weight (half the
// senders on the 广东–浙江–江苏–上海–福建 coast; 8% of parcels stay in one
// city). The hub path is the origin city's hub, on a long haul (≥ 250 km)
// the regional hubs nearest each end, and the destination city's hub,
// never visiting a city twice. Timings:
//
//   - pickup in working hours (08:00–20:00) after the order; the outlet
//     sends its parcels to the hub on its noon or evening run;
//   - sorting dwell of 15 min–2 h at a hub (30 min–3.5 h at a regional
//     one);
//   - road legs of great-circle distance × 1.25 at 60–75 km/h plus
//     loading; road legs of 300 km and more leave at night (19:00–03:00);
//     SF (≥ 600 km), EMS and JD (≥ 1,000 km) fly part of their long legs
//     on morning or evening flights;
//   - hubs send parcels out to outlets at dawn or late morning; couriers go
//     out at 07:30–09:30 or 13:00–14:30 and deliver by 21:00.
//
// All times are China Standard Time, in whole seconds.
//
// # Phrasing and states
//
// Every step (pickup, departures, arrivals, sorting, delivery, lockers,
// signatures, trouble, returns, hand-overs) has several templates per
// carrier, modelled on the real phrasing families of the development data
// (bracketed places, "离开A，发往B", "到达B", couriers as 某某 with masked
// phones, carrier boilerplate), never copies of its lines; Yunda and STO
// have an older and a newer house style. Each Event says what the
// simulator means: its advanced state by the protocol's definitions (1001
// in the destination city, 1002 elsewhere; a plain signature is 302 after
// trouble, 304 after a locker, 4 after a return) and the city its text
// names, "" when it names none. TestRealism reads thousands of parcels
// with the project's region and status engines and requires them to agree
// on every event; cities.txt keeps only the names that every carrier's
// scans read back right (TestCities -update).
//
// # Trouble
//
// Rates sets the share of parcels meeting each kind of trouble: a failed
// delivery and a retry (204/206, then 5, signed 302), a refusal and the
// return to the sender (203, 6, …, 4), a hand-over to the post in the
// destination city (7, naming it and the new number), a locker or station
// and a wait of minutes to days (501, then 304), a misroute that loops
// (A → B → A), a stall (the record stops mid-route, for the 60-day
// abort), no record at all (for the 3-day abort) and a wrong carrier code
// given by the shop. Truth records what happened.
//
// # Numbers
//
// Tracking numbers follow each carrier's public formats (YT+13 digits,
// SF+13, JDVA/JDVB+11, 7[3-68]+12 for ZTO, 77+13 for STO, 31/33+13 for
// Yunda, 10/11+11 and S10 for EMS, 98/99/96+11 for China Post, 55/57/70/71
// +12 for Best, 66/88/995/TT66… for TTK) and are unique within a world:
// the digits are a keyed one-to-one function of the parcel's index.
package sim
