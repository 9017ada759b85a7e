// The benchmark counts requests from Swift's access log: client requests by S3 operation, never
// the sub-requests Swift makes for itself. Lines as Swift 2.30 sends them (captured).
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module of the benchmark, no types
import { parseAccessLine } from '../../bench/lib/access-log.mjs';

describe('benchmark access-log counting', () => {
  it('counts client requests by operation, with status and bytes', () => {
    const lines: Array<[string, unknown]> = [
      ['<134>proxy-server: PUT /logbucket/a%2520b%253F.txt 200 - 3 -\u0000', ['PUT', 200, 3, 0]],
      ['<134>proxy-server: GET /logbucket%3Flist-type%3D2%26prefix%3D%26encoding-type%3Durl 200 - - 5120', ['LIST', 200, 0, 5120]],
      ['<134>proxy-server: POST /logbucket/m.bin%3Fuploads 200 - - 312', ['MPU_INIT', 200, 0, 312]],
      ['<134>proxy-server: PUT /logbucket/m.bin%3FuploadId%3DOWJl%26partNumber%3D3 200 - 8388608 -', ['PUT_PART', 200, 8388608, 0]],
      ['<134>proxy-server: POST /logbucket/m.bin%3FuploadId%3DOWJl 200 - 400 300', ['MPU_COMPLETE', 200, 400, 300]],
      ['<134>proxy-server: HEAD /logbucket/nope 404 - - -', ['HEAD', 404, 0, 0]],
      ['<134>proxy-server: GET /logbucket/big.bin 206 - - 1048576', ['GET', 206, 0, 1048576]],
      // Swift's own sub-requests: not counted.
      ['<134>proxy-server: HEAD /v1/AUTH_test/logbucket%3Fformat%3Djson 204 VW - -', null],
      ['<134>proxy-server: HEAD /v1/AUTH_test/logbucket%252Bsegments/m.bin/OWJl/1 200 SLO - -', null],
      ['<134>proxy-server: GET /v1/AUTH_test/logbucket 200 - - 10', null],
      ['garbage', null],
    ];
    for (const [line, want] of lines) expect([line, parseAccessLine(line)]).toEqual([line, want]);
  });
});
