//! A decay `2^-e` from a table and a short series instead of the reference's product over
//! the exponent's bits (a 128 x 128-bit product for each of up to 64 set bits). With
//! `e = n + f` (`n` whole, `0 < f < 1`) and `f = j/256 + r` (`j` its top 8 bits, `r <
//! 2^-8`), `2^-f = 2^(-j/256) 2^-r`: one entry of [`STEPS`] times the Taylor series of
//! `2^-r`, about a dozen 64 x 128-bit products (three for a slot of interest, whose `e` is
//! near `2^-28`), then the reference's shift by `64 + n`.
//!
//! The estimate only locates the reference's value. Let `V = 2^128 2^-f` (real), `P` the
//! reference's product for the fraction `1 - f` (its result is `P >> (64 + n)`), `T` the
//! series' `2^128 2^-r` and `S` the estimate:
//! * `|P - V| < 2^9`: each of at most 64 floored steps adds under one unit, plus under two
//!   from its table entry (within two units of the true factor; tested), and earlier
//!   errors grow by the product of the later factors, below 2: `3 * 64 * 2`.
//! * `|T - 2^128 2^-r| < 2^5`: the first omitted term is below one unit (the alternating
//!   terms shrink), every rounded coefficient is within half a unit, and every floored
//!   product within one, for at most 11 terms.
//! * `|S - V| < 2^5 + 2`: the [`STEPS`] entry is within a unit of its true value (tested),
//!   and the product of it and `T` is floored.
//!
//! So `P` lies within [`SERIES_MARGIN`] of `S`; when both ends of that interval give the
//! same result after the shift, that is the reference's result. Otherwise (about one
//! exponent in 2^52) the caller computes the product.

use super::{limb_table, mul_high};

/// `ln(2)^n / n! * 2^128` rounded to nearest, `n = 1..`: the series is
/// `2^-e = 1 - c_1 e + c_2 e^2 - ...`. Computed to 120 digits (Python `decimal`); checked
/// against each other and the exp2 table in the tests.
const COEFFICIENTS: [u128; 12] = [
    0xb17217f7d1cf79abc9e3b39803f2f6af,
    0x3d7f7bff058b1d50de2d60dd92e6bf95,
    0x0e35846b82505fc599d3b15d995e96f7,
    0x0276556df749cee539977c16a7dd58a1,
    0x005761ff9e299cc441c5fda69452fb0d,
    0x000a184897c363c3b7a58544c3591a10,
    0x0000ffe5fe2c458634358a8e643ec735,
    0x0000162c0223a5c823fd8ffe606da77c,
    0x000001b5253d395e7c3da4a70e5a4ff9,
    0x0000001e4cf5158b8ec9f6fda1d952e7,
    0x00000001e8cac7351bb24c0f57995e47,
    0x000000001c3bd650fc2985e2b5687e18,
];

/// `2^128 2^(-j/256)` for `j = 1..=255` (entry `j - 1`), rounded to nearest: the factor for
/// the top 8 bits of an exponent's fraction. Computed to 90 digits (Python `decimal`);
/// checked against integer roots of 2 in the tests.
const STEPS: [u128; 255] = [
    0xff4ecb59511ec8a5301ba217ef18dd7c,
    0xfe9e115c7b8f884badd25995e79d2f09,
    0xfdedd1b496a89f34c46757b38a53619b,
    0xfd3e0c0cf486c174853f3a5931e0ee03,
    0xfc8ec01121e447bb455d621825da76ce,
    0xfbdfed6ce5f09c489da5ff395ecae2e7,
    0xfb3193cc4227c3f46f66a72687c5c9a9,
    0xfa83b2db722a033a7c25bb14315d7fcd,
    0xf9d64a46eb939f352d2e093e4110a051,
    0xf92959bb5dd4ba7434b7e1b1c86a6357,
    0xf87ce0e5b2094d9bbff35cfc575603f7,
    0xf7d0df730ad13bb8fe90d496d60fb6eb,
    0xf7255510c4288238d1b490ead1a26392,
    0xf67a416c733f846d81897dca4e77a310,
    0xf5cfa433e653729065e4527c9e33781e,
    0xf5257d152486cc2c7b9d0c7aed980fc3,
    0xf47bcbbe6db9fddeed6fe9f569e4c1ac,
    0xf3d28fde3a641a5aa4594191bc33ac54,
    0xf329c9233b6bae9c0078add48cb237c0,
    0xf281773c59ffb139e8980a9cc8f47a4b,
    0xf1d999d8b7708cc16b79c0472eac5c37,
    0xf13230a7ad0945093b0fd0bd6d3233f4,
    0xf08b3b58cbe8b76a56b2151c05e270c6,
    0xefe4b99bdcdaf5cb46561cf6948db913,
    0xef3eab20e032bc6b55ae30c8ae253e7f,
    0xee990f980da3025b4aef1e031851c991,
    0xedf3e6b1d418a49121cdb28e8377be38,
    0xed4f301ed9942b84600d2db6a64bfb12,
    0xecaaeb8ffb03ab40a5b7735ed7c986e3,
    0xec0718b64c1cbddc27ce824402fc25f6,
    0xeb63b7431736983fd0f49502cb40362e,
    0xeac0c6e7dd24392ed02d75b3706e54fb,
    0xea1e4756550eb27b6a77eb42c28a105f,
    0xe97c38406c4f8c56f091cc4f51012da6,
    0xe8da9958464b42aac6c43346ddb3498d,
    0xe8396a503c4bdc68791790d0ac70c7de,
    0xe798aadadd5b9cbee2c8f240151d1780,
    0xe6f85aaaee1fce227c4ac7d628df28b0,
    0xe658797368b3a716ef83cffb7b6bc085,
    0xe5b906e77c8348a81e5e8f4a4edbb0ed,
    0xe51a02ba8e26d680d412ef2f70b028a4,
    0xe47b6ca0373da88d65e24402e2216edb,
    0xe3dd444c4649961894441daaaa6db8cf,
    0xe33f8972be8a5a5109bfe90795980eed,
    0xe2a23bc7d7d91225e0e49276b5e5d8d4,
    0xe2055afffe83d368a6fc1078c14529b3,
    0xe168e6cfd3295d235d3d06eb451d4a1e,
    0xe0ccdeec2a94e111065895048dd333ca,
    0xe031430a0d99e6275a55e0435cbd2054,
    0xdf9612deb8f0442046b8128c71a24fd0,
    0xdefb4e1f9d1037f1ecee4f8ad256c9ab,
    0xde60f4825e0e9123dd07a2d9e8466859,
    0xddc705bcd378f7f056971b4b4efd6e4b,
    0xdd2d818508324c20659e357ada3f94b9,
    0xdc9467913a4f1c91bd35669347454448,
    0xdbfbb797daf237553d840d5a9e29aa64,
    0xdb63714f8e2952551e6a5107edc5e87c,
    0xdacb946f2ac9cc71c40888b2439e38b9,
    0xda3420adba4d87044e10b1041b7ec1ac,
    0xd99d15c278afd7b5fe873deca3e12bac,
    0xd9067364d44a929ba04940ead973be13,
    0xd870394c6db32c8421566fe37b65072f,
    0xd7da67311797f569a07e19d426692969,
    0xd744fccad69d6af439a68bb9902d3fde,
    0xd6aff9d1e13ba2fde776d6371c9672d5,
    0xd61b5dfe9f9bce06dcb3518932fe39f2,
    0xd5872909ab75d189c31dae94544ca179,
    0xd4f35aabcfedfa1f5921deffa6262c5b,
    0xd45ff29e0972c560f309a8bd4ae80f87,
    0xd3ccf099859ac3796fd958ac78d4c3cb,
    0xd33a5457a30290543d58c19c0d98dc35,
    0xd2a81d91f12ae45a12248e57c3de4028,
    0xd2164c023056bcab0ff4ec09dbf148b1,
    0xd184df6251699ac60b8fbb86d56aa3fd,
    0xd0f3d76c75c5db8cc31dd17ce1cdbf98,
    0xd06333daef2b2594d6d45c6559a4d502,
    0xcfd2f4683f94eeb5631550e053253c3a,
    0xcf4318cf191918c12653c7326370087d,
    0xceb3a0ca5dc6a55d282b844fb99d5cc9,
    0xce248c151f8480e3e235838f95f2c6ed,
    0xcd95da6a9ff06444f63641255d03ecfd,
    0xcd078b86503dcdd1884dc62339bdf58d,
    0xcc799f23d11510e55ed51263c7641a28,
    0xcbec14fef2727c5cf4907c8f45ebf6dd,
    0xcb5eecd3b38597c8b4d301cc6ed4e242,
    0xcad2265e4290774da41b4ad07e37be3f,
    0xca45c15afcc72623c298682d266ad65f,
    0xc9b9bd866e2f27a280e1f92a0511697e,
    0xc92e1a9d517f0ecbaa059c6248097ed9,
    0xc8a2d85c8ffe2c4530da34fb5b8700e1,
    0xc817f681416452b25950bfc7fa4cd576,
    0xc78d74c8abb9b15cc13a2e3976c0277e,
    0xc70352f04336c51dd6b206c9a348e8b1,
    0xc67990b5aa245f79550e68b0e2aec255,
    0xc5f02dd6b0bbc3d96bdf88688dcf2779,
    0xc5672a115506dadd3e2ad0c964dd9f37,
    0xc4de8523c2c07baa72a88ea405500139,
    0xc4563ecc5334cb32985e6f96a74eb094,
    0xc3ce56c98d21b15d2d7d2db47bcd0d31,
    0xc346ccda2497640720ec856128b83a42,
    0xc2bfa0bcfad907c8b16e0e9bd260d2c7,
    0xc238d2311e3d667297b5cbe3204a9b88,
    0xc1b260f5ca0fbb3373463be57aa79440,
    0xc12c4cca667094567c457d59a50087b5,
    0xc0a6956e8836ca8c86e1a2a3a9ae34a7,
    0xc0213aa1f0d08db06f33b24d1aa75383,
    0xbf9c3c248e2486f80ee306cee52467c3,
    0xbf1799b67a731082e815d0abcbf0b851,
    0xbe935317fc378237bb7f6e57167312d1,
    0xbe0f6809860993e2499a22c9bab1596e,
    0xbd8bd84bb67ed482894f72e46efb3f23,
    0xbd08a39f580c36bea8811fb66d0faf7a,
    0xbc85c9c560e7b269350c555ba7bde9df,
    0xbc034a7ef2e9fb0cd7014042c595d95f,
    0xbb81258d5b704b6f0ee2d228feff0a32,
    0xbaff5ab2133e45fb74d519d24593838c,
    0xba7de9aebe5fea08ffac314dc38da102,
    0xb9fcd2452c0b9deae4d27345588c1571,
    0xb97c143756844dbeabfa653a71b9dc81,
    0xb8fbaf4762fb9ee91b879778566b65a2,
    0xb87ba337a1743833ac89a8b54cbd898d,
    0xb7fbefca8ca41e7c3f0da79f109dffce,
    0xb77c94c2c9d725e8d16c3ca6e9bcae4a,
    0xb6fd91e328d1779107165f0ddd541a5a,
    0xb67ee6eea3b22b8f5536de2e611e77f3,
    0xb60093a85ed5f76bb54cc007a799fef6,
    0xb58297d3a8b9f0d1c7a964d4e87196bc,
    0xb504f333f9de6484597d89b3754abe9f,
    0xb487a58cf4a9c1804bd9aeb445c9c1c5,
    0xb40aaea2654b9840e2b913dcf9938360,
    0xb38e0e38419fae178cda7939ecc7d67a,
    0xb311c412a91124893ecf14dc798a519c,
    0xb295cff5e47db4a38546cb183ee9fed3,
    0xb21a31a66618fe3b7c38a6276cd27208,
    0xb19ee8e8c94feb08e217d72c9cab9711,
    0xb123f581d2ac258f87d037e96d215d8e,
    0xb0a957366fb7a3c967c9570984dea5c3,
    0xb02f0dcbb6e04583b7ac9524371d9a75,
    0xafb51906e75b86615221c32306e4386a,
    0xaf3b78ad690a4374df26101ccbb35033,
    0xaec22c84cc5c94652b0ae97537a936e8,
    0xae493452ca35b80e258dc0b4c35101ec,
    0xadd08fdd43d014910bd67b983cca3b70,
    0xad583eea42a14ac64980a8c8f59a2ec4,
    0xace0413ff83e5d03a62373033e27431e,
    0xac6896a4be3fe9295e15b9a1de79764a,
    0xabf13edf162675e8ce6eb508c771633b,
    0xab7a39b5a93ed337658023b2759e0079,
    0xab0386ef48868de0923d2e22820c8895,
    0xaa8d2652ec90762976310121a6533932,
    0xaa1717a7b569397926d192d5f7dddb31,
    0xa9a15ab4ea7c0ef8541e24ec3531fa73,
    0xa92bef41fa77771b3395e0808475ed17,
    0xa8b6d5167b320e0897a96426c110c874,
    0xa8420bfa298f70d124da4dba32f60bd9,
    0xa7cd93b4e96535699ec5b4d5039f72af,
    0xa7596c0ec55ff55b505a3450b5b8623c,
    0xa6e594cfeee86b1d9b778d4f06624259,
    0xa6720dc0be08a20bc52d2157ab991a23,
    0xa5fed6a9b15138ea1cbd7f621710701b,
    0xa58bef536dbeb6eda4780d7681030488,
    0xa5195786be9ef3396c5e7a37cac3230f,
    0xa4a70f0c95768ec4d76a1b661607d701,
    0xa43515ae09e6809e0d1db4831781e1ef,
    0xa3c36b345991b47be1e25775199c692a,
    0xa3520f68e802bb92897a2c914ecbefa0,
    0xa2e102153e918f9e6f99f41381c73d2e,
    0xa27043030c4968189b7a04ef80cfdea8,
    0xa1ffd1fc25cea1880be9704c0029ada6,
    0xa18faeca8544b6e38221ca08667640f1,
    0xa11fd9384a344cf73a47e99d64571a93,
    0xa0b0510fb9714fc2192dc79edb0fd9a9,
    0xa041161b3d0121bddf8b6f4d0484a2c7,
    0x9fd228256400dd05fb80d520c197dc61,
    0x9f6386f8e28ba65099c84736435e6432,
    0x9ef5326091a111ada0911f09ebb9fdd1,
    0x9e872a276f0b98ff46846142638811ba,
    0x9e196e189d47242000f9145ac79bbaf0,
    0x9dabfdff6367a2a98cdc4dffe30eb47c,
    0x9d3ed9a72cffb750de494cf050e99b0b,
    0x9cd200db8a0774cacb406e3ad9773804,
    0x9c6573682ec32c2d4e586cdf686429df,
    0x9bf93118f3aa4cc146ac2629b8815747,
    0x9b8d39b9d54e5538a2a817a2a3cc3f1f,
    0x9b218d16f441d63cebb5f9347a27e2ec,
    0x9ab62afc94ff864a311a3b1b9d79c6b7,
    0x9a4b13371fd166ca58a6cf77e5beb8a5,
    0x99e0459320b7fa64e43086cb34b5fcaf,
    0x9975c1dd47518c7742f869619cf2439c,
    0x990b87e266c189a9ce78e18047c36ef2,
    0x98a1976f7597e9959a3f3f3fcd09b8c5,
    0x9837f0518db8a96f46ad23182e42f6f6,
    0x97ce9255ec4357ab0eaab35095b52861,
    0x97657d49f17ab08e507a2ea91c19d7b1,
    0x96fcb0fb20ac4ba2d9ff779c3306ab72,
    0x96942d3720185a0048ea9b683a9c22c5,
    0x962bf1cbb8d9755fd74b2295db70edd2,
    0x95c3fe86d6cc7feef52329c7e55c4221,
    0x955c5336887894d5179cdd2deb188865,
    0x94f4efa8fef709612e8afad12551de54,
    0x948dd3ac8ddb7ed338dd7bfe34302f47,
    0x9426ff0fab1c04b678ae781e504b3fed,
    0x93c071a0eef94bc0cf80bf3ced7215a4,
    0x935a2b2f13e6e92bd339940e9d924ee7,
    0x92f42b88f673aa7c34495863658add37,
    0x928e727d9531f9ac155bef4f4a408d4e,
    0x9228ffdc10a051acfcc911ca996308c7,
    0x91c3d373ab11c3360fd6d8e0ae5ac9d8,
    0x915eed13c89689d34fb5577d69ec8f1c,
    0x90fa4c8beee4b12a97e9494a5eda5b0f,
    0x9095f1abc540ca6b25a59f95591d3369,
    0x9031dc431466b1dc775814a8494e87e2,
    0x8fce0c21c67264815b6bed0a147a1e4a,
    0x8f6a8117e6c8e5c40cffb0890e8f2827,
    0x8f073af5a201352044feee692437dd30,
    0x8ea4398b45cd53c02dc0144c8783d4c6,
    0x8e417ca940e35a012ef0021f191cf149,
    0x8ddf042022e69cd58f395a213f1afcd6,
    0x8d7ccfc09c50e2f7f0b496d24ffd47a7,
    0x8d1adf5b7e5ba9e5b4c7b4968e41ad36,
    0x8cb932c1bae97a955bb0be2fc1058a5a,
    0x8c57c9c4646f4dddfb85cd1e1282e4be,
    0x8bf6a434adde0084f1ff1562d3210f95,
    0x8b95c1e3ea8bd6e6fbe4628758a53c90,
    0x8b3522a38e1e1031e47705d43464e763,
    0x8ad4c6452c72892406ab9eeab09dfc95,
    0x8a74ac9a79896e46e17c640bb54a0880,
    0x8a14d575496efd9a080ca1d92c3680c2,
    0x89b540a7902557a3bdc116dc8c41c9a5,
    0x8955ee03618e5fdc95d69926b4717b94,
    0x88f6dd5af155ac6b75611f8091c09a2a,
    0x88980e8092da85275df8d76c98c67563,
    0x88398146b919f1d46eb1692fdd53eae0,
    0x87db357ff698d7919048eec50a1328a7,
    0x877d2afefd4e256c48c8757fbc915a95,
    0x871f61969e8d10103a1727c57b52a956,
    0x86c1d919caef5c87d6437819d2bd2d28,
    0x8664915b923fba03db82dc49ee2f4556,
    0x86078a2f23642a9f3120da439de139d7,
    0x85aac367cc487b14c5c95b8c2154c1b2,
    0x854e3cd8f9c8c95d16c873d1d378c1ca,
    0x84f1f656379c1a290f03062c26b5ba5d,
    0x8495efb3303efd2ff38ffeb805e1418a,
    0x843a28c3acde40461af92eca13fd1582,
    0x83dea15b9541b132334544586ffe6d47,
    0x8383594eefb6ee36e201d4ec3d93f684,
    0x83285071e0fc454690950cc78d29f057,
    0x82cd8698ac2ba1d73e2a475b46520bff,
    0x8272fb97b2a5894c3793aa0d08c818fb,
    0x8218af4373fc25eb9c7cd106d23f3768,
    0x81bea1708dde6055a047bab784691314,
    0x8164d1f3bc0307737be56527bd14def5,
    0x810b40a1d81406d40cef03ab14a66550,
    0x80b1ed4fd999ab6c25335719b6e6fd20,
    0x8058d7d2d5e5f6b094d589f608ee4aa2,
];

/// [`STEPS`] as 32-bit limbs for [`mul_high`], split at compile time.
const STEP_LIMBS: [[u64; 4]; 255] = limb_table(&STEPS);

/// The fraction bits below the top 8, which the series takes (`r < 2^-8`).
const SERIES_BITS: u32 = 56;

/// How far the reference's product may lie from the series, in units of `2^-128`.
const SERIES_MARGIN: u128 = 1 << 11;

/// `TERMS[z]`: how many coefficients an exponent with `z` leading zero bits (`e < 2^-z`)
/// needs so that the first one left out is below a unit: `c_(n+1) e^(n+1) < 1`.
const TERMS: [usize; 65] = {
    let mut out = [0usize; 65];
    let mut zeros = 8;
    while zeros <= 64 {
        let mut n = 1;
        // The next term's bound: `c_(n+1) 2^(-zeros (n+1))`.
        while n < COEFFICIENTS.len()
            && zeros * (n + 1) < 128
            && COEFFICIENTS[n] >> (zeros * (n + 1)) > 0
        {
            n += 1;
        }
        out[zeros] = n;
        zeros += 1;
    }
    out
};

/// `floor(e * s / 2^64)`: a 64 x 128-bit product on 32-bit limbs (eight native 64-bit
/// multiplies on SBF, where a `u128` product is emulated).
fn mul_shr64(e: u64, s: u128) -> u128 {
    let e = [e & 0xffff_ffff, e >> 32];
    let s = [
        (s as u64) & 0xffff_ffff,
        (s as u64) >> 32,
        ((s >> 64) as u64) & 0xffff_ffff,
        ((s >> 64) as u64) >> 32,
    ];
    let mut acc = [0u64; 6];
    for (i, &ei) in e.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &sj) in s.iter().enumerate() {
            // < 2^64: (2^32-1)^2 + 2 (2^32-1) = 2^64 - 1
            let t = ei * sj + acc[i + j] + carry;
            acc[i + j] = t & 0xffff_ffff;
            carry = t >> 32;
        }
        acc[i + 4] = carry;
    }
    u128::from(acc[2] | (acc[3] << 32)) | (u128::from(acc[4] | (acc[5] << 32)) << 64)
}

/// `T`, the series' `2^128 2^-r` for `0 < r < 2^-8`, by Horner's rule. Every partial sum
/// `c_n - r * (...)` stays positive: `r c_(n+1) < c_n`.
fn series(exponent: u64) -> u128 {
    let terms = TERMS[exponent.leading_zeros() as usize];
    let mut sum = COEFFICIENTS[terms - 1];
    for &coefficient in COEFFICIENTS[..terms - 1].iter().rev() {
        sum = coefficient - mul_shr64(exponent, sum);
    }
    // 2^128 - e * sum, in (0, 2^128) for 0 < e < 1.
    0u128.wrapping_sub(mul_shr64(exponent, sum))
}

/// `S`, the estimate of `2^128 2^-f` for a fraction `0 < f < 1` (units of `2^-64`).
fn estimate(fraction: u64) -> u128 {
    let step = (fraction >> SERIES_BITS) as usize;
    let rest = fraction & ((1 << SERIES_BITS) - 1);
    match (step.checked_sub(1), rest) {
        // `f = r` (no step) or `f = j/256` (no rest): one factor alone.
        (None, _) => series(rest),
        (Some(j), 0) => STEPS[j],
        (Some(j), _) => mul_high::<4>(series(rest), &STEP_LIMBS[j]),
    }
}

/// The reference's `2^-e` in 64.64 (`exp2(-exponent)`) for `exponent <= 64` (units of
/// `2^-64`), or `None` when the estimate cannot decide it (or the exponent is larger).
pub fn decay(exponent: u128) -> Option<u128> {
    let whole = u32::try_from(exponent >> 64).ok()?;
    let fraction = exponent as u64;
    if fraction == 0 {
        // The reference's empty product, 2^127, shifted by 63 + n: exact.
        return (whole <= 64).then(|| (1u128 << 127) >> (63 + whole));
    }
    if whole >= 64 {
        return None;
    }
    // The reference's shift for a fraction, 64 + n: the high half, then n < 64 (a native
    // 64-bit shift; a variable `u128` shift is emulated on SBF).
    let shifted = |x: u128| ((x >> 64) as u64) >> whole;
    let estimate = estimate(fraction);
    let low = shifted(estimate.checked_sub(SERIES_MARGIN)?);
    let high = shifted(estimate.checked_add(SERIES_MARGIN)?);
    (low == high).then_some(u128::from(low))
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::super::tests::exp2_reference;
    use super::super::{exact_product, FRACTION_FACTORS};
    use super::*;
    use crate::exact_input::sqrt_floor;
    use crate::wide::sampling::Xorshift;
    use crate::wide::U512;
    use fixed::types::I64F64;

    /// The exp2 table is within two units of `2^(2^-i) 2^128` (the `|P - V|` bound
    /// assumes it): within one of the true values truncated, from repeated integer square
    /// roots at 2^-200 (their own error is far below a unit at 2^-128).
    #[test]
    fn the_exp2_table_is_within_two_units_of_the_true_factors() {
        let mut root = U512::from(2u8) << 200; // 2^(2^0) at 2^-200
        for (i, &entry) in FRACTION_FACTORS.iter().enumerate() {
            root = sqrt_floor(root << 200);
            let true_value = root >> 72; // 2^(2^-(i+1)) at 2^-128, within a unit
            let entry = (U512::from(1u8) << 128) + U512::from(entry);
            let gap = if entry > true_value {
                entry - true_value
            } else {
                true_value - entry
            };
            assert!(gap <= U512::from(1u8), "entry {i}: {gap}");
        }
    }

    /// Each coefficient is the previous one times `ln 2 / n` (within two units), and the
    /// first agrees with the table's last entry, `2^(2^-64) - 1 ~ ln(2) 2^-64`.
    #[test]
    fn coefficients_follow_their_recurrence() {
        let ln2 = U512::from(COEFFICIENTS[0]);
        assert_eq!(COEFFICIENTS[0] >> 64, FRACTION_FACTORS[63]);
        for n in 1..COEFFICIENTS.len() {
            let next = ((U512::from(COEFFICIENTS[n - 1]) * ln2) >> 128) / U512::from(n + 1);
            let got = U512::from(COEFFICIENTS[n]);
            let gap = if next > got { next - got } else { got - next };
            assert!(gap <= U512::from(2u8), "c_{}: {gap}", n + 1);
        }
    }

    #[test]
    fn terms_leave_out_only_terms_below_a_unit() {
        for (zeros, &n) in TERMS.iter().enumerate().skip(8) {
            // The table did not run out: the first term left out is there, and small.
            let next = COEFFICIENTS[n];
            let shift = zeros * (n + 1);
            assert!(
                shift >= 128 || next >> shift == 0,
                "{zeros} zeros, {n} terms"
            );
            // One term fewer would not do (except where one term already suffices).
            let shift = zeros * n;
            assert!(n == 1 || (shift < 128 && COEFFICIENTS[n - 1] >> shift > 0));
        }
        assert_eq!(TERMS[8], 11);
    }

    #[test]
    fn mul_shr64_matches_a_wide_product() {
        for (e, s) in [
            (0u64, 0u128),
            (u64::MAX, u128::MAX),
            (1, 1 << 64),
            (
                0x1234_5678_9abc_def0,
                0xfedc_ba98_7654_3210_0123_4567_89ab_cdef,
            ),
        ] {
            let wide = (U512::from(e) * U512::from(s)) >> 64;
            assert_eq!(U512::from(mul_shr64(e, s)), wide, "{e} * {s}");
        }
    }

    /// `2^128 2^(-j/256)` for `j = 0..=256` to within a unit, from integer square roots at
    /// 2^-400: `2^(1/256)` by eight roots of 2, its powers, then `2^-(j/256) = 2^((256 -
    /// j)/256) / 2` (each floored step is off by under a unit at 2^-400).
    #[test]
    fn the_steps_are_within_a_unit_of_the_true_factors() {
        type U1024 = ruint::Uint<1024, 16>;
        let mut root = U1024::from(2u8) << 400; // 2 at 2^-400
        for _ in 0..8 {
            root = sqrt_floor(root << 400);
        }
        let mut power = U1024::from(1u8) << 400; // 2^(m/256) at 2^-400, m = 0
        let mut powers = std::vec![power];
        for _ in 0..256 {
            power = (power * root) >> 400;
            powers.push(power);
        }
        // 2^(256/256) = 2: the 256 floored steps lost far less than 2^-300.
        let two = U1024::from(2u8) << 400;
        assert!(two - powers[256] < U1024::from(1u8) << 100);
        for (j, &step) in STEPS.iter().enumerate().map(|(i, s)| (i + 1, s)) {
            let true_value = powers[256 - j] >> (400 - 128 + 1);
            let gap = U1024::from(step).abs_diff(true_value);
            assert!(gap <= U1024::from(1u8), "step {j}: {gap}");
        }
    }

    /// Exponents of every magnitude: powers of two, their neighbours and xorshift values
    /// at each bit length of the fraction, with whole parts 0 to 63, every step of the
    /// table, and whole exponents.
    fn sample_exponents() -> std::vec::Vec<u128> {
        let mut out = std::vec::Vec::new();
        let mut random = Xorshift(0x853c_49e6_748f_ea9b);
        let mut next = || random.next();
        for bits in 1..=64u32 {
            let top = 1u64 << (bits - 1);
            let mut fractions = std::vec![top, top + 1, top | (top - 1)];
            fractions.extend((0..300).map(|_| top | (next() & (top - 1))));
            for fraction in fractions {
                let whole = u128::from(next() % 64);
                out.push(u128::from(fraction));
                out.push((whole << 64) | u128::from(fraction));
            }
        }
        for j in 0..256u64 {
            out.push(u128::from(j << SERIES_BITS));
            out.push(u128::from((j << SERIES_BITS) | (next() >> 8)));
        }
        out.extend((0..=64u128).map(|n| n << 64));
        out
    }

    /// The reference's product lies well inside the margin of the estimate (88 units at
    /// most here), and every decided value is the reference's.
    #[test]
    fn the_estimate_locates_the_reference_product() {
        let mut widest = 0u128;
        let mut undecided = 0;
        let samples = sample_exponents();
        for &exponent in &samples {
            let fraction = exponent as u64;
            if fraction != 0 {
                let product = exact_product(fraction.wrapping_neg());
                widest = widest.max(product.abs_diff(estimate(fraction)));
            }
            match decay(exponent) {
                Some(result) => assert_eq!(
                    Some(result),
                    exp2_reference(I64F64::from_bits(-(exponent as i128))),
                    "{exponent:#x}"
                ),
                None => undecided += 1,
            }
        }
        assert!(samples.len() > 39_000);
        assert!(widest < SERIES_MARGIN / 4, "{widest}");
        assert_eq!(undecided, 0);
    }

    #[test]
    fn whole_exponents_are_exact_and_larger_ones_are_left_to_the_caller() {
        assert_eq!(decay(0), Some(1 << 64));
        assert_eq!(decay(1 << 64), Some(1 << 63));
        assert_eq!(decay(64 << 64), Some(1));
        assert_eq!(decay((64 << 64) + 1), None);
        assert_eq!(decay(65 << 64), None);
        assert_eq!(decay(u128::MAX), None);
        assert!(decay((63 << 64) | u128::from(u64::MAX)).is_some());
    }
}
