// A strict, fast reader for ListObjectsV2 pages. The SDK's general XML parser and schema walk
// cost ≈ 40 µs per key, most of a no-op sync over 10,000 files. A listing page is simple and
// regular, so this reads it directly — and refuses (returns null) at the first thing it does not
// fully understand, so the SDK parses that page instead. It never guesses.
//
// Safety: in XML text a raw `<` cannot occur (it is always escaped), so tag boundaries found by
// searching are real; the page must be whole (ends with </ListBucketResult>, no <Error>, no
// comments); each <Contents> must hold exactly one Key, Size, ETag and an RFC 3339 LastModified;
// the number of entries must equal the page's own KeyCount (a page without one goes to the SDK).

export interface FastObject {
  key: string;
  size: number;
  /** Raw ETag text (quotes included), as the SDK would return it. */
  etag: string;
  lastModified: number;
}

export interface FastPage {
  contents: FastObject[];
  isTruncated: boolean;
  nextContinuationToken?: string;
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text content: the five named entities and character references; null if anything else. */
export function decodeXmlText(raw: string): string | null {
  if (raw.includes('\r') || raw.includes('<') || raw.includes(']]>')) return null; // line-end normalisation, CDATA: leave to the SDK
  if (!raw.includes('&')) return raw;
  let bad = false;
  const out = raw.replace(ENTITY, (_, e: string) => {
    if (e[0] !== '#') return NAMED[e];
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    if (!Number.isSafeInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      bad = true;
      return '';
    }
    return String.fromCodePoint(code);
  });
  // An ampersand that was not part of a known entity means we misunderstood the text.
  if (bad || /&(?!(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);)/.test(raw)) return null;
  return out;
}

/** The text of the single `<tag>` directly in `block`; undefined if absent, null if ambiguous. */
function field(block: string, tag: string): string | undefined | null {
  const open = `<${tag}>`;
  const start = block.indexOf(open);
  if (start < 0) return block.includes(`<${tag}/>`) || block.includes(`<${tag} `) ? null : undefined;
  const end = block.indexOf(`</${tag}>`, start);
  if (end < 0 || block.indexOf(open, start + 1) >= 0) return null;
  return block.slice(start + open.length, end);
}

/** S3's timestamp form, with its zone (Date.parse would read a zone-less time as local time). */
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Parses one ListObjectsV2 result, or returns null when the SDK should parse it instead. */
export function parseListPage(xml: string): FastPage | null {
  const root = xml.indexOf('<ListBucketResult');
  if (root < 0 || xml.includes('<CommonPrefixes') || xml.includes('<![CDATA[') || xml.includes('<Error')) return null;
  // A whole page only: one that was cut off must never read as a shorter listing.
  if (!xml.trimEnd().endsWith('</ListBucketResult>')) return null;
  // Comments or processing instructions could hide entries from a reader that searches tags.
  if (xml.includes('<!--') || xml.indexOf('<?', 1) > 0) return null;
  const firstContents = xml.indexOf('<Contents');
  const head = firstContents < 0 ? xml.slice(root) : xml.slice(root, firstContents);
  const lastContents = xml.lastIndexOf('</Contents>');
  const tail = lastContents < 0 ? '' : xml.slice(lastContents + '</Contents>'.length);
  const outside = head + tail;

  const truncated = field(outside, 'IsTruncated');
  if (truncated !== 'true' && truncated !== 'false') return null;
  const tokenRaw = field(outside, 'NextContinuationToken');
  if (tokenRaw === null) return null;
  const token = tokenRaw === undefined ? undefined : decodeXmlText(tokenRaw);
  if (token === null) return null;
  const countRaw = field(outside, 'KeyCount');
  if (typeof countRaw !== 'string' || !/^\d+$/.test(countRaw)) return null; // the check every page must pass
  const encoding = field(outside, 'EncodingType');
  if (encoding !== undefined) return null; // URL-encoded keys: the SDK knows what to do

  const contents: FastObject[] = [];
  if (firstContents >= 0) {
    const body = xml.slice(firstContents, lastContents);
    const blocks = body.split('<Contents>');
    if (blocks[0] !== '') return null; // `<Contents ...>` with attributes, or text before it
    for (let i = 1; i < blocks.length; i++) {
      let block = blocks[i];
      const close = block.lastIndexOf('</Contents>');
      if (i < blocks.length - 1) {
        if (close < 0 || block.slice(close + '</Contents>'.length).trim() !== '') return null;
        block = block.slice(0, close);
      } else if (close >= 0) {
        return null;
      }
      if (block.includes('<Contents')) return null;
      const keyRaw = field(block, 'Key');
      const sizeRaw = field(block, 'Size');
      const etagRaw = field(block, 'ETag');
      const modifiedRaw = field(block, 'LastModified');
      if (typeof keyRaw !== 'string' || typeof sizeRaw !== 'string' || typeof modifiedRaw !== 'string' || etagRaw === null) return null;
      const key = decodeXmlText(keyRaw);
      const etag = etagRaw === undefined ? '' : decodeXmlText(etagRaw);
      if (key === null || key === '' || etag === null || !/^\d+$/.test(sizeRaw)) return null;
      const size = Number(sizeRaw);
      if (!RFC3339.test(modifiedRaw)) return null;
      const lastModified = Date.parse(modifiedRaw);
      if (!Number.isSafeInteger(size) || Number.isNaN(lastModified)) return null;
      contents.push({ key, size, etag, lastModified });
    }
  }
  if (tail.includes('<Contents') || Number(countRaw) !== contents.length) return null;
  return { contents, isTruncated: truncated === 'true', nextContinuationToken: token };
}
