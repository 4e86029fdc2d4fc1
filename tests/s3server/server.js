'use strict';

// Starts s3rver for the test suite and adds what s3rver 3.7.1 lacks but the tests depend on:
//
// - SigV4 signature checks. s3rver only looks up the access key id of a SigV4 request ("Signature version 4
//   calculation is unimplemented"), so a wrong secret key would be accepted. Here every SigV4 request is
//   verified like S3 does it, and a mismatch is a 403 SignatureDoesNotMatch.
// - AbortMultipartUpload and ListMultipartUploads. s3rver answers 405 MethodNotAllowed and 501 NotImplemented,
//   which would leave the abort path of the upload stream untested.
// - Server-side encryption headers kept with the object and returned on GET/HEAD, so tests can see what was asked
//   for (nothing is encrypted).
// - A loud error for aws-chunked bodies. s3rver would store the chunk framing as object data.
// - Fault injection, so retry paths run over real HTTP: POST /_faults with
//   {"bucket": "b", "operation": "UploadPart", "code": "RequestTimeout", "count": 2} makes the next two UploadPart
//   requests to bucket b fail with that S3 error. Operations: PutObject, UploadPart, CreateMultipartUpload,
//   CompleteMultipartUpload, AbortMultipartUpload. Faults are per bucket so tests sharing the server do not collide.
//
// Usage: node server.js --directory <dir> [--address 127.0.0.1] [--port 0] [--verbose]
// Prints one JSON line {"address": ..., "port": ...} on stdout once it listens.

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const S3Error = require('s3rver/lib/models/error');
const S3Object = require('s3rver/lib/models/object');

S3Object.ALLOWED_METADATA.push('x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id');

function parseArgs(argv) {
    const options = { address: '127.0.0.1', port: 0, verbose: false, directory: undefined };
    for (let i = 0; i < argv.length; i++) {
        switch (argv[i]) {
            case '--directory':
                options.directory = argv[++i];
                break;
            case '--address':
                options.address = argv[++i];
                break;
            case '--port':
                options.port = Number(argv[++i]);
                break;
            case '--verbose':
                options.verbose = true;
                break;
            default:
                throw new Error(`unknown argument ${argv[i]}`);
        }
    }
    if (!options.directory) {
        throw new Error('--directory is required');
    }
    return options;
}

function encodeRfc3986(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function sha256Hex(value) {
    return crypto.createHash('sha256').update(value, 'utf8').digest('hex');
}

function hmac(key, value) {
    return crypto.createHmac('sha256', key).update(value, 'utf8').digest();
}

function splitUrl(rawUrl) {
    const q = rawUrl.indexOf('?');
    return q < 0 ? [rawUrl, ''] : [rawUrl.slice(0, q), rawUrl.slice(q + 1)];
}

function canonicalUri(rawPath) {
    return rawPath
        .split('/')
        .map(segment => encodeRfc3986(decodeURIComponent(segment)))
        .join('/');
}

function canonicalQuery(rawQuery, omit) {
    if (!rawQuery) {
        return '';
    }
    return rawQuery
        .split('&')
        .filter(pair => pair.length > 0)
        .map(pair => {
            const eq = pair.indexOf('=');
            const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
            const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
            return [encodeRfc3986(name), encodeRfc3986(value)];
        })
        .filter(([name]) => name !== omit)
        .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
        .map(([name, value]) => `${name}=${value}`)
        .join('&');
}

function parseAuthorizationHeader(header) {
    const fields = new Map(
        header
            .slice('AWS4-HMAC-SHA256 '.length)
            .split(',')
            .map(part => part.trim())
            .map(part => {
                const eq = part.indexOf('=');
                return [part.slice(0, eq), part.slice(eq + 1)];
            }),
    );
    return {
        credential: fields.get('Credential') || '',
        signedHeaders: fields.get('SignedHeaders') || '',
        signature: fields.get('Signature') || '',
    };
}

function sigV4(ctx) {
    const authorization = ctx.get('authorization');
    const [rawPath, rawQuery] = splitUrl(ctx.req.url);
    let parts;
    let amzDate;
    let payloadHash;
    let omitFromQuery;
    if (authorization.startsWith('AWS4-HMAC-SHA256 ')) {
        parts = parseAuthorizationHeader(authorization);
        amzDate = ctx.get('x-amz-date');
        payloadHash = ctx.get('x-amz-content-sha256');
    } else if (ctx.query['X-Amz-Algorithm'] === 'AWS4-HMAC-SHA256') {
        parts = {
            credential: ctx.query['X-Amz-Credential'] || '',
            signedHeaders: ctx.query['X-Amz-SignedHeaders'] || '',
            signature: ctx.query['X-Amz-Signature'] || '',
        };
        amzDate = ctx.query['X-Amz-Date'];
        payloadHash = ctx.get('x-amz-content-sha256') || 'UNSIGNED-PAYLOAD';
        omitFromQuery = 'X-Amz-Signature';
    } else {
        return;
    }

    const [accessKeyId, ...scopeParts] = parts.credential.split('/');
    const account = AWSAccount.registry.get(accessKeyId);
    if (!account) {
        throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', {
            AWSAccessKeyId: accessKeyId,
        });
    }
    const secretAccessKey = account.accessKeys.get(accessKeyId);
    const [date, region, service] = scopeParts;

    const signedHeaders = parts.signedHeaders.split(';');
    const canonicalHeaders = signedHeaders
        .map(name => `${name}:${String(ctx.req.headers[name] ?? '').trim().replace(/ +/g, ' ')}\n`)
        .join('');
    const canonicalRequest = [
        ctx.method,
        canonicalUri(rawPath),
        canonicalQuery(rawQuery, omitFromQuery),
        canonicalHeaders,
        parts.signedHeaders,
        payloadHash,
    ].join('\n');
    const scope = scopeParts.join('/');
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    let key = hmac('AWS4' + secretAccessKey, date || '');
    key = hmac(key, region || '');
    key = hmac(key, service || '');
    key = hmac(key, 'aws4_request');
    const expected = crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');

    if (expected !== parts.signature) {
        ctx.app.logger.warn('SigV4 mismatch; canonical request was:\n%s', canonicalRequest);
        throw new S3Error(
            'SignatureDoesNotMatch',
            'The request signature we calculated does not match the signature you provided. ' +
                'Check your key and signing method.',
            { AWSAccessKeyId: accessKeyId },
        );
    }
}

function rejectAwsChunked(ctx) {
    const contentSha = ctx.get('x-amz-content-sha256');
    const contentEncoding = ctx.get('content-encoding');
    if (contentSha.startsWith('STREAMING-') || /aws-chunked/i.test(contentEncoding)) {
        throw new S3Error(
            'NotImplemented',
            'This test server does not decode aws-chunked request bodies; upload with UseChunkEncoding = false ' +
                'and without trailing checksums.',
        );
    }
}

async function requireBucket(store, bucket) {
    if (!(await store.getBucket(bucket))) {
        throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    }
}

function uploadsDirectory(store, bucket) {
    return store.getResourcePath(bucket, undefined, 'uploads');
}

async function listMultipartUploads(ctx, bucket) {
    await requireBucket(ctx.app.store, bucket);
    const directory = uploadsDirectory(ctx.app.store, bucket);
    const prefix = ctx.query.prefix || '';
    const ids = fs.existsSync(directory) ? fs.readdirSync(directory) : [];
    const uploads = ids
        .map(id => {
            const keyFile = path.join(directory, id, 'key');
            if (!fs.existsSync(keyFile)) {
                return undefined;
            }
            return {
                Key: fs.readFileSync(keyFile, 'utf8'),
                UploadId: id,
                Initiated: fs.statSync(keyFile).mtime.toISOString(),
                StorageClass: 'STANDARD',
            };
        })
        .filter(upload => upload && upload.Key.startsWith(prefix))
        .sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
    ctx.body = {
        ListMultipartUploadsResult: {
            '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
            Bucket: bucket,
            KeyMarker: '',
            UploadIdMarker: '',
            Prefix: prefix,
            MaxUploads: 1000,
            IsTruncated: false,
            Upload: uploads,
        },
    };
}

async function abortMultipartUpload(ctx, bucket, uploadId) {
    await requireBucket(ctx.app.store, bucket);
    const directory = path.join(uploadsDirectory(ctx.app.store, bucket), path.basename(uploadId));
    if (!fs.existsSync(directory)) {
        throw new S3Error(
            'NoSuchUpload',
            'The specified upload does not exist. The upload ID may be invalid, or the upload may have been ' +
                'aborted or completed.',
            { UploadId: uploadId },
        );
    }
    fs.rmSync(directory, { recursive: true, force: true });
    ctx.status = 204;
}

const faults = [];

function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        req.on('data', chunk => chunks.push(chunk));
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
    });
}

async function addFault(ctx) {
    const fault = JSON.parse((await readBody(ctx.req)).toString('utf8'));
    if (!fault.bucket || !fault.operation || !fault.code) {
        ctx.throw(400, 'bucket, operation and code are required');
    }
    faults.push({ bucket: fault.bucket, operation: fault.operation, code: fault.code, count: fault.count || 1 });
    ctx.status = 204;
}

function operationOf(method, hasKey, query) {
    if (!hasKey) {
        return undefined;
    }
    if (method === 'PUT') {
        return 'uploadId' in query ? 'UploadPart' : 'PutObject';
    }
    if (method === 'POST') {
        return 'uploads' in query ? 'CreateMultipartUpload' : 'uploadId' in query ? 'CompleteMultipartUpload' : undefined;
    }
    if (method === 'DELETE' && 'uploadId' in query) {
        return 'AbortMultipartUpload';
    }
    return undefined;
}

async function injectFault(ctx, bucket, operation) {
    const fault = faults.find(f => f.bucket === bucket && f.operation === operation && f.count > 0);
    if (!fault) {
        return;
    }
    fault.count--;
    // Read the body first: answering while the client still sends makes it see a reset instead of our error.
    await readBody(ctx.req);
    throw new S3Error(fault.code, `Injected ${fault.code} for ${operation} (test fault).`);
}

function extensions() {
    return async function extensions(ctx, next) {
        const [rawPath] = splitUrl(ctx.req.url);
        if (rawPath === '/_faults' && ctx.method === 'POST') {
            return addFault(ctx);
        }

        sigV4(ctx);
        rejectAwsChunked(ctx);

        const segments = rawPath.split('/').slice(1);
        const bucket = segments[0] ? decodeURIComponent(segments[0]) : undefined;
        const hasKey = segments.length > 1 && segments.slice(1).join('/') !== '';
        const operation = operationOf(ctx.method, hasKey, ctx.query);
        if (bucket && operation) {
            await injectFault(ctx, bucket, operation);
        }
        if (bucket && !hasKey && ctx.method === 'GET' && 'uploads' in ctx.query) {
            return listMultipartUploads(ctx, bucket);
        }
        if (bucket && hasKey && ctx.method === 'DELETE' && 'uploadId' in ctx.query) {
            return abortMultipartUpload(ctx, bucket, String(ctx.query.uploadId));
        }
        return next();
    };
}

async function main() {
    const options = parseArgs(process.argv.slice(2));
    fs.mkdirSync(options.directory, { recursive: true });
    const server = new S3rver({
        directory: options.directory,
        address: options.address,
        port: options.port,
        silent: !options.verbose,
        vhostBuckets: false,
    });
    // Koa composes the middleware list when the server starts, so ours can go in just before s3rver's router.
    server.middleware.splice(server.middleware.length - 1, 0, extensions());
    const { address, port } = await server.run();
    process.stdout.write(JSON.stringify({ address, port }) + '\n');

    const stop = () => server.close().finally(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    // The parent holds our stdin; when it goes away (even killed), so do we.
    process.stdin.on('end', stop);
    process.stdin.resume();
}

// s3rver leaves some stream errors without a listener, e.g. when an aborted upload's directory is removed while a
// cancelled part request is still opening its file. Those would end the process and fail every later test.
process.on('uncaughtException', err => {
    process.stderr.write(`uncaught (server keeps running): ${err && err.stack ? err.stack : err}\n`);
});

main().catch(err => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exit(1);
});
