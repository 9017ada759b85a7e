// The fast ListObjectsV2 page reader: exact on what it accepts, and it declines (null) anything it
// does not fully understand so that the SDK parses that page instead.
import { describe, expect, it } from 'vitest';
import { decodeXmlText, parseListPage } from '../../src/main/sync/list-xml';

const entry = (key: string, size = 3, etag = '&quot;0123456789abcdef0123456789abcdef&quot;') =>
  `<Contents><Key>${key}</Key><LastModified>2026-11-26T01:02:03.000Z</LastModified><ETag>${etag}</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
const page = (entries: string[], extra = '<IsTruncated>false</IsTruncated>', count: number | null = entries.length) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>${count === null ? '' : `<KeyCount>${count}</KeyCount>`}<MaxKeys>1000</MaxKeys>${extra}${entries.join('')}</ListBucketResult>`;

describe('parseListPage', () => {
  it('reads keys, sizes, ETags, times, truncation and the continuation token', () => {
    const r = parseListPage(
      page([entry('p/a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;.txt', 12), entry('p/&#x1F600;&#65;.bin', 0)], '<IsTruncated>true</IsTruncated><NextContinuationToken>tok&amp;en==</NextContinuationToken>'),
    );
    expect(r).toEqual({
      contents: [
        { key: `p/a & b <c> "d" 'e'.txt`, size: 12, etag: '"0123456789abcdef0123456789abcdef"', lastModified: Date.UTC(2026, 10, 26, 1, 2, 3) },
        { key: 'p/\u{1f600}A.bin', size: 0, etag: '"0123456789abcdef0123456789abcdef"', lastModified: Date.UTC(2026, 10, 26, 1, 2, 3) },
      ],
      isTruncated: true,
      nextContinuationToken: 'tok&en==',
    });
  });

  it('reads an empty page', () => {
    expect(parseListPage(page([]))).toEqual({ contents: [], isTruncated: false, nextContinuationToken: undefined });
  });

  it('keeps whitespace in keys exactly', () => {
    expect(parseListPage(page([entry('p/ two  spaces\tand tab ')]))?.contents[0].key).toBe('p/ two  spaces\tand tab ');
  });

  it.each([
    ['a KeyCount that disagrees with the entries', page([entry('p/a')], '<IsTruncated>false</IsTruncated>', 2)],
    ['no IsTruncated', page([entry('p/a')], '')],
    ['an unknown entity', page([entry('p/a&nbsp;b')])],
    ['a bare ampersand', page([entry('p/a & b')])],
    ['a carriage return (XML would normalise it)', page([entry('p/a\rb')])],
    ['CDATA', page([entry('<![CDATA[p/a]]>')])],
    ['URL-encoded keys', page([entry('p/a%20b')], '<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>')],
    ['common prefixes', page([entry('p/a')], '<IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>p/x/</Prefix></CommonPrefixes>')],
    ['a Contents with attributes', page([entry('p/a').replace('<Contents>', '<Contents x="1">')])],
    ['two keys in one entry', page([entry('p/a').replace('</Key>', '</Key><Key>p/b</Key>')])],
    ['a missing size', page([entry('p/a').replace(/<Size>.*<\/Size>/, '')])],
    ['a negative size', page([entry('p/a', -1)])],
    ['an unreadable date', page([entry('p/a').replace('2026-11-26T01:02:03.000Z', 'yesterday')])],
    ['a date without a zone (would read as local time)', page([entry('p/a').replace('2026-11-26T01:02:03.000Z', '2026-11-26T01:02:03')])],
    ['a date in another format', page([entry('p/a').replace('2026-11-26T01:02:03.000Z', 'Thu, 26 Nov 2026 01:02:03 GMT')])],
    ['an empty key', page([entry('')])],
    ['a surrogate character reference', page([entry('p/&#xD800;')])],
    ['not a listing at all', '<Error><Code>NoSuchBucket</Code></Error>'],
  ])('declines %s', (_, xml) => {
    expect(parseListPage(xml)).toBeNull();
  });

  it('declines a page without KeyCount (nothing to check the entries against)', () => {
    expect(parseListPage(page([entry('p/a')], '<IsTruncated>false</IsTruncated>', null))).toBeNull();
  });

  it('declines a page that was cut off or carries an error, even when KeyCount would match', () => {
    const whole = page([entry('p/a'), entry('p/b')]);
    expect(parseListPage(whole)?.contents).toHaveLength(2);
    const cut = whole.slice(0, whole.indexOf('<Key>p/b'));
    expect(parseListPage(cut.replace('<KeyCount>2</KeyCount>', '<KeyCount>1</KeyCount>'))).toBeNull();
    expect(parseListPage(whole.replace('</ListBucketResult>', '<Error><Code>InternalError</Code></Error></ListBucketResult>'))).toBeNull();
    expect(parseListPage(whole.replace('</ListBucketResult>', '<!-- <Contents><Key>p/c</Key></Contents> --></ListBucketResult>'))).toBeNull();
    expect(parseListPage(whole + '<Contents>')).toBeNull();
  });
});

describe('decodeXmlText', () => {
  it('decodes the five entities and character references, nothing else', () => {
    expect(decodeXmlText('&amp;&lt;&gt;&quot;&apos;&#38;&#x26;')).toBe(`&<>"'&&`);
    expect(decodeXmlText('&amp;amp;')).toBe('&amp;');
    expect(decodeXmlText('&copy;')).toBeNull();
  });
});
