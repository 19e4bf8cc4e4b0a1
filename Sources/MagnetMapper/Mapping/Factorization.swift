/// Prime factors and divisors of loop bounds: how a dimension can be split over loops.
enum Factorization {
    /// The prime factors of `n`, ascending, with repetition (none for 1).
    static func primes(_ n: Int) -> [Int] {
        var rest = n, p = 2, result: [Int] = []
        while p * p <= rest {
            while rest % p == 0 { result.append(p); rest /= p }
            p += 1
        }
        if rest > 1 { result.append(rest) }
        return result
    }

    /// The smallest prime factor of `n` (`n` itself when it is prime or 1).
    static func smallestPrime(_ n: Int) -> Int {
        var p = 2
        while p * p <= n {
            if n % p == 0 { return p }
            p += 1
        }
        return n
    }

    /// The divisors of `n`, ascending.
    static func divisors(_ n: Int) -> [Int] {
        var small: [Int] = [], large: [Int] = []
        var k = 1
        while k * k <= n {
            if n % k == 0 {
                small.append(k)
                if k * k != n { large.append(n / k) }
            }
            k += 1
        }
        return small + large.reversed()
    }
}
