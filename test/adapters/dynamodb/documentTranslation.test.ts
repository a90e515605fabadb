import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../adapters/dynamodb/createDocumentClient';
import { DOCUMENT_TRANSLATION } from '../../../adapters/dynamodb/documentTranslation';

describe('Module: documentTranslation', () => {
  it('keeps the shared options as declared after a document client sent a request, so stream images still unmarshall with them', async () => {
    // Prepare: a client nothing answers (the options are taken when the command is resolved, before any network).
    const documents = createDocumentClient(new DynamoDBClient({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));

    // Act
    await expect(documents.send(new GetCommand({ TableName: 't', Key: { id: 'x' } }))).rejects.toThrow();

    // Assess: lib-dynamodb sets convertWithoutMapWrapper on the options it is given; they must be its own copy.
    expect(Object.keys(DOCUMENT_TRANSLATION.unmarshallOptions ?? {})).toEqual(['wrapNumbers']);
    expect(Object.keys(DOCUMENT_TRANSLATION.marshallOptions ?? {}).sort()).toEqual(['allowImpreciseNumbers', 'removeUndefinedValues']);
    expect(unmarshall({ metric: { S: 'm' }, src: { M: { a: { N: '1' } } } }, DOCUMENT_TRANSLATION.unmarshallOptions)).toEqual({ metric: 'm', src: { a: 1 } });
  });
});
