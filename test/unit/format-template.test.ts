import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isBerthError } from '../../src/engine/errors.js';
import { headerFunctions, parseTemplate } from '../../src/cli/format/template.js';

const data = {
  Name: 'busybox',
  Tag: 'latest',
  Size: 4261215,
  Ratio: 1.5,
  Zero: 0,
  Empty: [] as string[],
  Nil: null,
  Tags: ['latest', '1.36'],
  Nums: [1, 2, 3],
  Labels: { 'org.opencontainers.image.title': 'bb', maintainer: 'me' },
  Config: { Env: ['PATH=/bin', 'HOME=/root'], User: '', Cmd: ['sh'] },
  Items: [{ Name: 'first' }, { Name: 'second' }],
  Html: '<b>&',
  Greet: (who: string) => `hello ${who}`,
};

const run = (text: string, value: unknown): string => parseTemplate(text).execute(value);

describe('template: execution matches Go text/template', () => {
  const cases: ReadonlyArray<readonly [string, string, unknown?]> = [
    ['plain text', 'plain text'],
    ['{{.Name}}:{{.Tag}}', 'busybox:latest'],
    ['{{.Config.Env}}', '[PATH=/bin HOME=/root]'],
    ['{{.Labels.maintainer}}', 'me'],
    ['{{.Missing}}', '<no value>'],
    ['{{.Labels.nope}}', '<no value>'],
    ['{{.Missing.Deeper}}', '<no value>'],
    ['{{.Nil}}', '<no value>'],
    ['{{.}}', '<no value>', undefined],
    ['{{.}}', 'just a string', 'just a string'],
    ['{{with .Config}}{{.User}}|{{$.Name}}{{end}}', '|busybox'],
    ['a  {{- .Tag -}}  b', 'alatestb'],
    ['a {{- /* a comment */ -}} b', 'ab'],
    ['x{{/* comment */}}y', 'xy'],
    ['{{$t := .Tag}}{{$t}}', 'latest'],
    ['{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', '2'],
    ['{{range $i, $t := .Tags}}{{$i}}={{$t}} {{end}}', '0=latest 1=1.36 '],
    ['{{range $t := .Tags}}[{{$t}}]{{end}}', '[latest][1.36]'],
    ['{{range .Tags}}{{.}},{{end}}', 'latest,1.36,'],
    ['{{range $k, $v := .}}{{$k}}{{end}}', 'Cab', { b: 1, a: 2, C: 3 }],
    ['{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}', 'maintainer=me;org.opencontainers.image.title=bb;'],
    ['{{range .Empty}}x{{else}}none{{end}}', 'none'],
    ['{{range .Missing}}x{{else}}none{{end}}', 'none'],
    ['{{range 3}}{{.}}{{end}}', '012'],
    ['{{range $i, $n := .Nums}}{{if eq $n 2}}{{continue}}{{end}}{{$n}}{{end}}', '13'],
    ['{{range .Nums}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}', '12'],
    ['{{if .Zero}}a{{else if .Empty}}b{{else if .Name}}c{{else}}d{{end}}', 'c'],
    ['{{if and .Name .Tags}}both{{end}}', 'both'],
    ['{{with .Missing}}has{{else}}nothing{{end}}', 'nothing'],
    ['{{with .Config.User}}{{.}}{{else with .Name}}{{.}}{{end}}', 'busybox'],
    ['{{.Name | upper | printf "%s!"}}', 'BUSYBOX!'],
    ['{{printf "%s-%s" (index .Tags 1) (.Name | title)}}', '1.36-Busybox'],
    ['{{(index .Items 1).Name}}', 'second'],
    ['{{"a\\tb"}}|{{`raw\\n`}}|{{42}}|{{-3}}|{{0x1F}}|{{1_000}}|{{\'a\'}}|{{true}}|{{1.5}}', 'a\tb|raw\\n|42|-3|31|1000|97|true|1.5'],
    ['{{.Ratio}} {{.Size}} {{0.00001}} {{123456.5}} {{1234567.5}}', '1.5 4261215 1e-05 123456.5 1.2345675e+06'],
    ['{{.Items}}', '[map[Name:first] map[Name:second]]'],
    ['{{.Labels}}', 'map[maintainer:me org.opencontainers.image.title:bb]'],
    ['{{.}}', '[<nil> 1 true]', [null, 1, true]],
    ['{{json .Config}}', '{"Env":["PATH=/bin","HOME=/root"],"User":"","Cmd":["sh"]}'],
    ['{{json .Html}} {{json .Missing}} {{json .Ratio}}', '"<b>&" null 1.5'],
    ['{{json .}}', '{"s":"\\u2028\\n\\u0001","n":[1,null]}', { s: '\u2028\n\u0001', n: [1, null] }],
    ['{{join .Tags ", "}}|{{split "a:b:c" ":"}}|{{len (split "a:b:c" ":")}}', 'latest, 1.36|[a b c]|3'],
    ['{{lower "ABC"}} {{upper "abc"}} {{title "hello wide-world"}} {{truncate .Name 3}} {{truncate .Name 99}}', 'abc ABC Hello Wide-World bus busybox'],
    ['[{{pad .Name 1 2}}][{{pad "" 1 2}}]', '[ busybox  ][]'],
    ['{{index .Labels "maintainer"}}|{{index .Labels "absent"}}|{{index .Nums 2}}|{{index .Items 0 "Name"}}', 'me||3|first'],
    ['{{len .Tags}} {{len .Labels}} {{len "héllo"}}', '2 2 6'],
    ['{{slice .Name 1 3}} {{slice .Nums 1}}', 'us [2 3]'],
    ['{{printf "%-8s|%5d|%05.1f|%q|%x|%X|%v|%t" "ab" 42 3.14159 "q" 255 "hi" .Tags true}}', 'ab      |   42|003.1|"q"|ff|6869|[latest 1.36]|true'],
    ['{{printf "%d %s" "x" 5}}|{{printf "%d"}}|{{printf "%d" 1 2}}', '%!d(string=x) %!s(int=5)|%!d(MISSING)|1%!(EXTRA int=2)'],
    ['{{printf "%6.2f|%e|%g|%v" 3.14159 1234.5678 0.000012 .Missing}}', '  3.14|1.234568e+03|1.2e-05|<nil>'],
    ['{{print "a" 1 2 "b" true}}|{{println "a" 1}}', 'a1 2btrue|a 1\n'],
    ['{{eq .Size 1 4261215}} {{ne "a" "b"}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}} {{eq .Missing "x"}}', 'true true true true true false false'],
    ['{{or .Missing "default"}} {{and 1 0}} {{and 1 "x"}} {{not .Empty}} {{or 1 (index .Nums 99)}}', 'default 0 x true 1'],
    ['{{.Greet "bob"}}|{{"amy" | .Greet}}', 'hello bob|hello amy'],
  ];
  for (const c of cases) {
    const [text, want] = c;
    test(JSON.stringify(text), () => assert.equal(run(text, c.length > 2 ? c[2] : data), want));
  }

  test('a template runs many times over different data', () => {
    const t = parseTemplate('{{.N}}');
    assert.equal(t.execute({ N: 1 }), '1');
    assert.equal(t.execute({ N: 'two' }), 'two');
  });

  test('header functions leave titles unchanged but keep pad', () => {
    const t = parseTemplate('{{upper .Name}}|{{truncate .Id 3}}|{{pad .Name 1 1}}|{{json .Name}}');
    assert.equal(t.execute({ Name: 'NAME', Id: 'IMAGE ID' }, { functions: headerFunctions }), 'NAME|IMAGE ID| NAME |NAME');
  });

  test('executeTo keeps the output written before an error', () => {
    const chunks: string[] = [];
    assert.throws(() => parseTemplate('a{{.A}}b{{index .L 9}}c').executeTo((c) => chunks.push(c), { A: 1, L: [] }));
    assert.equal(chunks.join(''), 'a1b');
  });
});

describe('template: parse errors read like Go', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['{{.ID }', 'template: :1: unexpected "}" in operand'],
    ['{{.ID}', "template: :1: bad character U+007D '}'"],
    ['line one\n{{.A }', 'template: :2: unexpected "}" in operand'],
    ['{{', 'template: :1: unclosed action'],
    ['{{if .A}}x', 'template: :1: unexpected EOF'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{else}}', 'template: :1: unexpected {{else}}'],
    ['{{nope .}}', 'template: :1: function "nope" not defined'],
    ['{{$x}}', 'template: :1: undefined variable "$x"'],
    ['{{if true}}{{$y := 1}}{{end}}{{$y}}', 'template: :1: undefined variable "$y"'],
    ['{{}}', 'template: :1: missing value for command'],
    ['{{.A | "x"}}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{"abc}}', 'template: :1: unterminated quoted string'],
    ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
    ['{{range $a, $b, $c := .}}{{end}}', 'template: :1: too many declarations in range'],
    ['{{with $a, $b := .}}{{end}}', 'template: :1: too many declarations in with'],
    ['{{.A.}}', 'template: :1: unexpected <.> in operand'],
    ['{{true.A}}', 'template: :1: unexpected . after term "true"'],
    ['{{(.A}}', 'template: :1: unclosed left paren'],
    ['{{.A)}}', 'template: :1: unexpected ")" in command'],
    ['{{1x}}', 'template: :1: bad number syntax: "1x"'],
    ['{{/* open', 'template: :1: unclosed comment'],
    ['{{define "x"}}{{end}}', 'template: :1: {{define}} is not supported in --format templates'],
  ];
  for (const [text, message] of cases) {
    test(JSON.stringify(text), () => {
      assert.throws(() => parseTemplate(text), (e: unknown) => {
        assert.ok(isBerthError(e, 'INVALID_ARGUMENT'));
        assert.equal(e.message, message);
        return true;
      });
    });
  }
});

describe('template: execution errors name the action and the problem', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['{{index .Nums 5}}', 'template: :1:2: executing "" at <index .Nums 5>: error calling index: index out of range: 5'],
    ['ab\n  {{len 3}}', 'template: :2:4: executing "" at <len 3>: error calling len: len of type int'],
    ['{{lower 5}}', 'template: :1:8: executing "" at <5>: expected string; found 5'],
    ['{{lower .Size}}', 'template: :1:8: executing "" at <.Size>: wrong type for value; expected string; got int'],
    ['{{lower .Missing}}', 'template: :1:8: executing "" at <.Missing>: invalid value; expected string'],
    ['{{.Name.Sub}}', 'template: :1:2: executing "" at <.Name.Sub>: can\'t evaluate field Sub in type string'],
    ['{{.Nil.X}}', 'template: :1:2: executing "" at <.Nil.X>: nil pointer evaluating interface {}.X'],
    ['{{lt 1 "a"}}', 'template: :1:2: executing "" at <lt 1 "a">: error calling lt: incompatible types for comparison'],
    ['{{eq 1}}', 'template: :1:2: executing "" at <eq 1>: error calling eq: missing argument for comparison'],
    ['{{.Labels.maintainer "x"}}', 'template: :1:2: executing "" at <.Labels.maintainer>: maintainer is not a method but has arguments'],
    ['{{lower "a" "b"}}', 'template: :1:2: executing "" at <lower "a" "b">: wrong number of args for lower: want 1 got 2'],
    ['{{join .Nums ","}}', 'template: :1:7: executing "" at <.Nums>: wrong type for value; expected []string; got []interface {}'],
    ['{{range .Ratio}}{{end}}', 'template: :1:8: executing "" at <{{range .Ratio}}>: range can\'t iterate over 1.5'],
    ['{{3 4}}', 'template: :1:2: executing "" at <3>: can\'t give argument to non-function 3'],
    ['{{printf "%s" .Name | index .Tags}}', 'template: :1:22: executing "" at <index .Tags>: error calling index: cannot index slice/array with type string'],
  ];
  for (const [text, message] of cases) {
    test(JSON.stringify(text), () => {
      const t = parseTemplate(text);
      assert.throws(() => t.execute(data), (e: unknown) => {
        assert.ok(isBerthError(e, 'INVALID_ARGUMENT'));
        assert.equal(e.message, message);
        return true;
      });
    });
  }
});

describe('template: cost stays linear', () => {
  test('large and adversarial inputs parse and run quickly', () => {
    const started = performance.now();
    const many = '{{.Name}} '.repeat(20_000);
    assert.equal(run(many, data).length, 'busybox '.length * 20_000);
    assert.equal(run(' '.repeat(200_000) + '{{- .Tag}}', data), 'latest');
    assert.equal(run('x'.repeat(500_000), data).length, 500_000);
    assert.throws(() => parseTemplate('{{"' + '\\\\'.repeat(100_000)));
    assert.throws(() => parseTemplate('{{'.repeat(50_000)));
    assert.throws(() => parseTemplate('{{' + '('.repeat(100_000) + '1' + ')'.repeat(100_000) + '}}'), /max expression depth exceeded/);
    assert.throws(() => parseTemplate('{{if 1}}'.repeat(50_000)), /max expression depth exceeded/);
    assert.ok(performance.now() - started < 3000, `took ${performance.now() - started} ms`);
  });
});
