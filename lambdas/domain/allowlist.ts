// Allowlist coverage, the one rule both the processor (skip automatic suppression) and the query API (report it)
// apply: an address entry covers that address; a domain entry covers the domain and every subdomain of it. Pure.
import type { AllowlistKind } from './records.ts';

/** `mail.example.com` → `mail.example.com`, `example.com`, `com`: the domain entries that cover an address there. */
function coveringDomains(domain: string): string[] {
  const labels = domain.split('.');
  return labels.map((_label, index) => labels.slice(index).join('.'));
}

/** Which entry protects an address from automatic suppression, if any. */
export type AllowlistCoverage = AllowlistKind | null;

/** Looks the address and its covering domains up (at once) and says which kind of entry covers it. */
export async function allowlistCoverage(
  has: (kind: AllowlistKind, value: string) => Promise<boolean>,
  email: string,
  domain: string,
): Promise<AllowlistCoverage> {
  const [address, ...domains] = await Promise.all([
    has('address', email),
    ...coveringDomains(domain).map((suffix) => has('domain', suffix)),
  ]);
  if (address) return 'address';
  return domains.some(Boolean) ? 'domain' : null;
}
