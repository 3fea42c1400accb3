// binance-lib.test.js: the popular community client `binance` (npm) against the local
// exchange, unchanged but for its base URL: written by the documentation, not by what one
// client happens to send, the exchange must serve other clients too.
'use strict'
const test = require('node:test')
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { MainClient, generateNewOrderId } = require('binance')

const port = process.env.QUOTER_EXCHANGE_PORT
const ini = fs.readFileSync(path.join(__dirname, '../../examples/exchange.ini'), 'utf8')
const key = ini.match(/^hmac_api_key = (.*)$/m)[1]
const secret = ini.match(/^hmac_secret_key = (.*)$/m)[1]
// (its getServerTime() ignores a custom base URL, so the time sync it would do is off)
const client = new MainClient({ api_key: key, api_secret: secret, baseUrl: `http://127.0.0.1:${port}`, disableTimeSync: true })

test('binance (npm): market data, account, an order placed, listed and canceled', async () => {
  const book = await client.getOrderBook({ symbol: 'BTCUSDT', limit: 5 })
  assert.strictEqual(book.bids.length, 5)
  const ticker = await client.getSymbolOrderBookTicker({ symbol: 'BTCUSDT' })
  assert.ok(Number(ticker.bidPrice) > 0)
  const account = await client.getAccountInformation()
  assert.ok(account.balances.some((b) => b.asset === 'USDT'))
  const price = Number((Number(ticker.bidPrice) - 2000).toFixed(2))
  const id = generateNewOrderId('spot')
  const order = await client.submitNewOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: 0.001, price, newClientOrderId: id })
  assert.strictEqual(order.status, 'NEW')
  const open = await client.getOpenOrders({ symbol: 'BTCUSDT' })
  assert.ok(open.some((o) => o.clientOrderId === id))
  const canceled = await client.cancelOrder({ symbol: 'BTCUSDT', origClientOrderId: id })
  assert.strictEqual(canceled.status, 'CANCELED')
})
