import { describe, expect, it } from 'vitest';
import { PyGlobal, PyObject, unpickle } from '../src/index.js';
import { caught } from './checkpoint-helpers.js';

const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => Number.parseInt(b, 16));
const noStorages = () => {
  throw new Error('no persistent ids here');
};
const run = (bytes: Uint8Array) => unpickle(bytes, { source: 't.pt', entry: 'archive/data.pkl', persistentLoad: noStorages });

describe('the unpickler reads every protocol into plain values', () => {
  // pickle.dumps({'neg': -2**40, 'big': 2**70, 'small': -5, 'f': 1.5, 's': 'h\u00e9llo\n', 'b': b'\x00\xff', 't': (1, 2),
  //               'l': [1, [2]], 'set': {3}, 'fs': frozenset({4}), 'none': None, 'true': True}, protocol=P)
  it.each([
    [0, '286470300a566e65670a70310a4c2d313039393531313632373737364c0a73566269670a70320a4c313138303539313632303731373431313330333432344c0a7356736d616c6c0a70330a492d350a7356660a70340a46312e350a7356730a70350a5668e96c6c6f5c75303030610a70360a7356620a70370a635f636f646563730a656e636f64650a70380a28565c7530303030ff0a70390a566c6174696e310a7031300a747031310a527031320a7356740a7031330a2849310a49320a747031340a73566c0a7031350a286c7031360a49310a61286c7031370a49320a616173567365740a7031380a635f5f6275696c74696e5f5f0a7365740a7031390a28286c7032300a49330a61747032310a527032320a735666730a7032330a635f5f6275696c74696e5f5f0a66726f7a656e7365740a7032340a28286c7032350a49340a61747032360a527032370a73566e6f6e650a7032380a4e7356747275650a7032390a4930310a732e'],
    [2, '80027d71002858030000006e656771018a060000000000ff580300000062696771028a090000000000000000405805000000736d616c6c71034afbffffff5801000000667104473ff80000000000005801000000737105580700000068c3a96c6c6f0a71065801000000627107635f636f646563730a656e636f64650a7108580300000000c3bf710958060000006c6174696e31710a86710b52710c580100000074710d4b014b0286710e58010000006c710f5d7110284b015d71114b02616558030000007365747112635f5f6275696c74696e5f5f0a7365740a71135d71144b0361857115527116580200000066737117635f5f6275696c74696e5f5f0a66726f7a656e7365740a71185d71194b046185711a52711b58040000006e6f6e65711c4e580400000074727565711d88752e'],
    [4, '80049594000000000000007d94288c036e6567948a060000000000ff8c03626967948a090000000000000000408c05736d616c6c944afbffffff8c016694473ff80000000000008c0173948c0768c3a96c6c6f0a948c016294430200ff948c0174944b014b0286948c016c945d94284b015d944b0261658c03736574948f94284b03908c02667394284b0491948c046e6f6e65944e8c04747275659488752e'],
    [5, '80059594000000000000007d94288c036e6567948a060000000000ff8c03626967948a090000000000000000408c05736d616c6c944afbffffff8c016694473ff80000000000008c0173948c0768c3a96c6c6f0a948c016294430200ff948c0174944b014b0286948c016c945d94284b015d944b0261658c03736574948f94284b03908c02667394284b0491948c046e6f6e65944e8c04747275659488752e'],
  ])('protocol %i', (_, h) => {
    const v = run(hex(h)) as Map<string, unknown>;
    expect([...v.keys()]).toEqual(['neg', 'big', 'small', 'f', 's', 'b', 't', 'l', 'set', 'fs', 'none', 'true']);
    expect(v.get('neg')).toBe(-(2 ** 40));
    expect(v.get('big')).toBe(2n ** 70n);
    expect(v.get('small')).toBe(-5);
    expect(v.get('f')).toBe(1.5);
    expect(v.get('s')).toBe('h\u00e9llo\n');
    expect(Array.from(v.get('b') as Uint8Array)).toEqual([0, 255]);
    expect(v.get('t')).toEqual([1, 2]);
    expect(Object.isFrozen(v.get('t'))).toBe(true);
    expect(v.get('l')).toEqual([1, [2]]);
    expect(v.get('set')).toEqual(new Set([3]));
    expect(v.get('fs')).toEqual(new Set([4]));
    expect(v.get('none')).toBeNull();
    expect(v.get('true')).toBe(true);
  });

  it('classes become inert placeholders holding their BUILD state', () => {
    // class Conv: pass; c = Conv(); c.k = 3; pickle.dumps(c, protocol=2) with Conv under module m
    const bytes = Uint8Array.from('\x80\x02cm\nConv\nq\x00)\x81q\x01}q\x02X\x01\x00\x00\x00kK\x03sb.', (c) => c.charCodeAt(0));
    const obj = run(bytes);
    expect(obj).toBeInstanceOf(PyObject);
    expect((obj as PyObject).cls).toEqual(new PyGlobal('m', 'Conv'));
    expect((obj as PyObject).attr('k')).toBe(3);
  });

  it.each([
    ['a pickle cut short', '8002', 'the pickle ends without STOP (cut short) at byte 2'],
    ['an unknown opcode', '8002ff', 'unknown opcode 0xff at byte 2'],
    ['a memo key never stored', '8002680a2e', 'memo key 10 was never stored at byte 2'],
    ['a string longer than the data', '800258ffffff002e', '16777215 bytes wanted, 1 left (the pickle is cut short) at byte 2'],
    ['APPEND onto a tuple', '8002294b01612e', 'APPEND on a tuple at byte 5'],
  ])('%s is a bad-pickle error with its offset', (_, h, detail) => {
    const error = caught(() => run(hex(h)));
    expect(error.code).toBe('bad-pickle');
    expect(error.message).toBe(`t.pt: archive/data.pkl is not a valid pickle (${detail}): the file is corrupt or not a torch.save checkpoint`);
  });
});
