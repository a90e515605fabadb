import { describe, expect, it } from 'vitest';
import { resolveIntrinsics, type IntrinsicContext, type ResolvedResource } from '../../../local/assembly/resolveIntrinsics';

const context: IntrinsicContext = {
  resources: new Map<string, ResolvedResource>([
    ['Stream', { ref: 'events', attributes: { Arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/events' } }],
    ['Queue', { ref: 'http://q', attributes: { Arn: 'arn:q', QueueName: 'dlq' } }],
  ]),
  pseudo: { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '000000000000' },
};

describe('Function: resolveIntrinsics', () => {
  it('resolves Ref, GetAtt, Join, Sub, Select and Split inside nested values', () => {
    const value = {
      A: { Ref: 'Stream' },
      B: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      C: { 'Fn::Join': ['/', [{ Ref: 'AWS::Region' }, { Ref: 'Queue' }]] },
      D: { 'Fn::Sub': 'name-${Stream}-${Queue.QueueName}-${AWS::AccountId}-${!Literal}' },
      E: [{ 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] }],
      F: { 'Fn::Sub': ['${X}-x', { X: { Ref: 'Stream' } }] },
    };
    expect(resolveIntrinsics(value, context)).toEqual({
      A: 'events',
      B: 'arn:q',
      C: 'us-east-1/http://q',
      D: 'name-events-dlq-000000000000-${Literal}',
      E: ['b'],
      F: 'events-x',
    });
  });

  it('names what it cannot resolve', () => {
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, context)).toThrow('Ref to Missing, which has no local counterpart');
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Stream', 'Nope'] }, context)).toThrow('Fn::GetAtt Stream.Nope has no local value');
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, context)).toThrow('Fn::ImportValue is not supported offline');
  });
});
