"""Judge a tempest run: counts, failures against the expected list, and no 5xx in tempest.log."""
import argparse
import csv
import re
import sys

# tempest's rest client logs every response as "Request (Caller): 200 GET http://..."
RESPONSE = re.compile(r'Request \([^)]*\): (\d{3}) (\w+) (\S+)')
ATTRS = re.compile(r'\[[^\]]*\]$')
CLASS_FIXTURE = re.compile(r'^(setUpClass|tearDownClass) \((.+)\)$')


def test_name(raw):
    """tempest.x.Class.test_y[id-...,smoke] -> tempest.x.Class.test_y; class fixtures by class."""
    fixture = CLASS_FIXTURE.match(raw)
    if fixture:
        return fixture.group(2)
    return ATTRS.sub('', raw)


def load_expected(path):
    """[(regex, reason)] from 'PATTERN  # reason' lines; a line without a reason is an error."""
    expected = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            pattern, sep, reason = line.partition('#')
            if not sep or not reason.strip():
                sys.exit(f'{path}:{number}: every expected failure needs "# reason"')
            expected.append((re.compile(pattern.strip() + r'$'), reason.strip()))
    return expected


def expand(results, listed):
    """Per-test results: a test of a class whose fixture failed (or skipped) takes the
    class's status, so the counts are over every test the run selected."""
    out = {}
    for raw in listed:
        name = test_name(raw)
        cls = name.rsplit('.', 1)[0]
        out[name] = results.get(name) or results.get(cls) or 'fail'
    for name, status in results.items():  # a class fixture with no listed test
        if not any(n.startswith(name + '.') for n in out) and name not in out:
            out[name] = status
    return out


def load_results(path):
    """{test name: 'success' | 'fail' | 'skip'} from subunit2csv output."""
    results = {}
    with open(path, encoding='utf-8', newline='') as f:
        for row in csv.DictReader(f):
            name = test_name(row['test'])
            status = row['status']
            if status in ('success', 'xfail'):
                status = 'success'
            elif status == 'skip':
                status = 'skip'
            else:
                status = 'fail'
            if results.get(name) != 'fail':  # a class fixture failure wins
                results[name] = status
    return results


def server_errors(log_path):
    with open(log_path, encoding='utf-8', errors='replace') as f:
        return [m.group(0) for m in map(RESPONSE.search, f) if m and m.group(1)[0] == '5']


def judge(results, expected, errors):
    """(report lines, ok) for one run."""
    failed = sorted(n for n, s in results.items() if s == 'fail')
    passed = sorted(n for n, s in results.items() if s == 'success')
    listed = lambda name: next((r for p, r in expected if p.match(name)), None)  # noqa: E731
    unexpected = [n for n in failed if listed(n) is None]
    now_passing = [n for n in passed if listed(n) is not None]
    stale = [p.pattern for p, _ in expected
             if not any(p.match(n) for n in results)]
    counts = {s: sum(1 for v in results.values() if v == s)
              for s in ('success', 'fail', 'skip')}
    # Not pytest's "N passed, N failed" form: CI reads that form as a verdict, and
    # expected failures are not one.
    lines = [f'tempest: {len(results)} tests; {counts["success"]} pass, '
             f'{counts["fail"]} fail ({len(failed) - len(unexpected)} of them listed as '
             f'expected), {counts["skip"]} skip']
    for tree in sorted({'.'.join(n.split('.')[:3]) for n in results}):
        of_tree = [v for n, v in results.items() if n.startswith(tree + '.')]
        lines.append(f'  {tree}: {len(of_tree)} tests; {of_tree.count("success")} pass, '
                     f'{of_tree.count("fail")} fail, {of_tree.count("skip")} skip')
    lines += [f'UNEXPECTED FAILURE: {n}' for n in unexpected]
    lines += [f'NOW PASSES (remove it from the expected list): {n}' for n in now_passing]
    lines += [f'STALE PATTERN (matches no test that ran): {p}' for p in stale]
    lines += [f'SERVER ERROR: {e}' for e in errors]
    lines.append(f'tempest.log: {len(errors)} responses with a 5xx status')
    return lines, not (unexpected or now_passing or stale or errors)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('results', help='subunit2csv output of the run')
    parser.add_argument('expected', help='tests/tempest/expected-failures.txt')
    parser.add_argument('log', help="tempest's log file")
    parser.add_argument('--tests', help='the selected test ids, one a line '
                                        '(tempest run --list-tests)')
    args = parser.parse_args()
    results = load_results(args.results)
    if args.tests:
        with open(args.tests, encoding='utf-8') as f:
            results = expand(results, [t.strip() for t in f if t.startswith('tempest.')])
    if not results:
        sys.exit('compare: the run has no test results')
    lines, ok = judge(results, load_expected(args.expected), server_errors(args.log))
    print('\n'.join(lines))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
