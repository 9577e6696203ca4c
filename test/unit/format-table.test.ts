import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isBerthError } from '../../src/engine/errors.js';
import { renderFormatted } from '../../src/cli/format/table.js';

const busybox = { Repository: 'busybox', Tag: 'latest', ID: 'a416a98b71e2', CreatedSince: '2 months ago', Size: '4.26MB', Digest: '<none>' };
const alpine = { Repository: 'alpine', Tag: '3.19', ID: '05455a08881e', CreatedSince: '5 weeks ago', Size: '7.38MB', Digest: '<none>' };
const headers = { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', Digest: 'DIGEST' };
const IMAGES_TABLE = 'table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}';

describe('renderFormatted: table formats', () => {
  test('docker images default table', () => {
    assert.equal(
      renderFormatted(IMAGES_TABLE, [busybox], headers),
      'REPOSITORY   TAG       IMAGE ID       CREATED        SIZE\nbusybox      latest    a416a98b71e2   2 months ago   4.26MB\n',
    );
  });

  test('several rows share the column widths', () => {
    assert.equal(
      renderFormatted('table {{.Repository}}\\t{{.Tag}}\\t{{.Size}}', [busybox, alpine], headers),
      'REPOSITORY   TAG       SIZE\nbusybox      latest    4.26MB\nalpine       3.19      7.38MB\n',
    );
  });

  test('no rows still prints the header', () => {
    assert.equal(renderFormatted('table {{.Repository}}\\t{{.Tag}}', [], headers), 'REPOSITORY   TAG\n');
  });

  test('the header is the template run over the titles, with header functions', () => {
    assert.equal(
      renderFormatted('table {{upper .Repository}}\\t{{truncate .ID 4}}\\t{{pad .Tag 1 0}}', [busybox], headers),
      // pad is not a header function, so the TAG title is padded too, as in docker.
      'REPOSITORY   IMAGE ID    TAG\nBUSYBOX      a416        latest\n',
    );
  });

  test('a failing header keeps what it printed; rows still render', () => {
    const rows = [{ ID: 'abc', Labels: { x: '1' } }];
    assert.equal(renderFormatted('table {{.ID}}\\t{{index .Labels "x"}}', rows, { ID: 'ID', Labels: 'LABELS' }), 'ID' + ' '.repeat(8) + '\nabc' + ' '.repeat(7) + '1\n');
  });

  test('real tabs and wide characters align', () => {
    const rows = [{ Name: '日本語のイメージ', ID: 'x' }, { Name: 'ascii', ID: 'y' }];
    assert.equal(renderFormatted('table {{.Name}}\t{{.ID}}', rows, { Name: 'NAME', ID: 'ID' }), 'NAME' + ' '.repeat(15) + 'ID\n日本語のイメージ   x\nascii' + ' '.repeat(14) + 'y\n');
  });

  test('a field missing from the headers prints <no value> in the header, as docker would', () => {
    assert.equal(renderFormatted('table {{.Tag}}\\t{{.Extra}}', [{ Tag: 't', Extra: 'e' }], { Tag: 'TAG' }), 'TAG' + ' '.repeat(7) + '<no value>\nt' + ' '.repeat(9) + 'e\n');
  });
});

describe('renderFormatted: other formats', () => {
  test('a custom format prints one line per row, without header or alignment', () => {
    assert.equal(renderFormatted('{{.Repository}}:{{.Tag}}', [busybox, alpine], headers), 'busybox:latest\nalpine:3.19\n');
  });

  test('spaces around the format are trimmed and \\t, \\n escapes become characters', () => {
    assert.equal(renderFormatted('  {{.ID}}\\t{{.Tag}}\\n  ', [busybox], headers), 'a416a98b71e2\tlatest\n\n');
  });

  test('"json" prints each row as JSON, HTML-escaped like docker\'s marshalled rows, in key order', () => {
    assert.equal(
      renderFormatted('json', [busybox], headers),
      '{"Repository":"busybox","Tag":"latest","ID":"a416a98b71e2","CreatedSince":"2 months ago","Size":"4.26MB","Digest":"\\u003cnone\\u003e"}\n',
    );
    assert.equal(renderFormatted('{{json .}}', [alpine], headers), renderFormatted('json', [alpine], headers));
  });

  test('json of a single field is not HTML-escaped, as docker\'s json function', () => {
    assert.equal(renderFormatted('{{json .Digest}}', [busybox], headers), '"<none>"\n');
  });

  test('quiet prints IDs only', () => {
    assert.equal(renderFormatted(IMAGES_TABLE, [busybox, alpine], headers, { quiet: true }), 'a416a98b71e2\n05455a08881e\n');
  });

  test('rows can offer methods, called like Go methods', () => {
    const row = { ID: 'sha256:a416a98b71e2', Short() { return this.ID.slice(7, 11); } };
    assert.equal(renderFormatted('{{.Short}}', [row], {}), 'a416\n');
  });
});

describe('renderFormatted: errors', () => {
  test('a bad format is a "template parsing error"', () => {
    assert.throws(() => renderFormatted('table {{.ID}', [busybox], headers), (e: unknown) => {
      assert.ok(isBerthError(e, 'INVALID_ARGUMENT'));
      assert.equal(e.message, "template parsing error: template: :1: bad character U+007D '}'");
      return true;
    });
  });

  test('a row that fails aborts the whole output', () => {
    assert.throws(() => renderFormatted('{{index .Tags 3}}', [{ Tags: ['a'] }], {}), (e: unknown) => {
      assert.ok(isBerthError(e, 'INVALID_ARGUMENT'));
      assert.equal(e.message, 'template parsing error: template: :1:2: executing "" at <index .Tags 3>: error calling index: index out of range: 3');
      return true;
    });
  });
});
