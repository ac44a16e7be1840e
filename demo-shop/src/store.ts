import { randomUUID } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';

/**
 * The shop's state in one SQLite file (node:sqlite), shared by the supervisor and every worker process.
 * WAL mode lets readers and one writer work at once across processes; busy_timeout makes a writer wait for
 * the lock instead of failing. Money is kept in integer cents and shown in currency units.
 */

export interface Product {
  id: string;
  name: string;
  price: number;
}

export interface CartItem {
  productId: string;
  name: string;
  quantity: number;
  price: number;
}

export interface Checkout {
  checkoutId: string;
  cartId: string;
  amountCents: number;
  test: boolean;
  orderId: string | undefined;
}

export const CURRENCY = 'EUR';

/** The catalogue a fresh database starts with. 13.13 is the amount the payment provider declines. */
export const SEED_PRODUCTS: ReadonlyArray<{ id: string; name: string; priceCents: number }> = [
  { id: 'sku-1001', name: 'Trail running shoes', priceCents: 8995 },
  { id: 'sku-1002', name: 'Rain jacket', priceCents: 12900 },
  { id: 'sku-1003', name: 'Wool beanie', priceCents: 1999 },
  { id: 'sku-1004', name: 'Water bottle', priceCents: 1450 },
  { id: 'sku-1005', name: 'Headlamp', priceCents: 3495 },
  { id: 'sku-1006', name: 'Trekking poles', priceCents: 5900 },
  { id: 'sku-1007', name: 'Energy bars (12)', priceCents: 2160 },
  { id: 'sku-1313', name: 'Unlucky socks (payment is declined at exactly 13.13)', priceCents: 1313 },
];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS products (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS carts (
  id TEXT PRIMARY KEY, test INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cart_items (
  cart_id TEXT NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
  product_id TEXT NOT NULL REFERENCES products(id),
  quantity INTEGER NOT NULL,
  PRIMARY KEY (cart_id, product_id));
CREATE TABLE IF NOT EXISTS checkouts (
  id TEXT PRIMARY KEY, cart_id TEXT NOT NULL, amount_cents INTEGER NOT NULL, test INTEGER NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY, checkout_id TEXT NOT NULL UNIQUE, payment_id TEXT NOT NULL,
  amount_cents INTEGER NOT NULL, provider TEXT NOT NULL, test INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_test ON orders(test);
CREATE INDEX IF NOT EXISTS checkouts_test ON checkouts(test);
CREATE INDEX IF NOT EXISTS carts_test ON carts(test);
`;

const toAmount = (cents: number): number => Math.round(cents) / 100;
const now = (): string => new Date().toISOString();

export class ShopStore {
  readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA busy_timeout = 10000');
    if (path !== ':memory:') this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON');
  }

  /** Create the tables and the catalogue if missing. Run once, by the supervisor, before workers start. */
  init(): void {
    this.db.exec(SCHEMA);
    const insert = this.db.prepare('INSERT OR IGNORE INTO products (id, name, price_cents) VALUES (?, ?, ?)');
    this.tx(() => {
      for (const p of SEED_PRODUCTS) insert.run(p.id, p.name, p.priceCents);
    });
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  listProducts(): Product[] {
    return this.db
      .prepare('SELECT id, name, price_cents FROM products ORDER BY id')
      .all()
      .map((r) => ({ id: String(r.id), name: String(r.name), price: toAmount(Number(r.price_cents)) }));
  }

  getProduct(id: string): Product | undefined {
    const r = this.db.prepare('SELECT id, name, price_cents FROM products WHERE id = ?').get(id);
    return r && { id: String(r.id), name: String(r.name), price: toAmount(Number(r.price_cents)) };
  }

  createCart(test: boolean): string {
    const id = `cart-${randomUUID()}`;
    this.db.prepare('INSERT INTO carts (id, test, created_at) VALUES (?, ?, ?)').run(id, test ? 1 : 0, now());
    return id;
  }

  cartExists(cartId: string): boolean {
    return this.db.prepare('SELECT 1 FROM carts WHERE id = ?').get(cartId) !== undefined;
  }

  cartItems(cartId: string): CartItem[] {
    return this.db
      .prepare(
        `SELECT i.product_id, p.name, i.quantity, p.price_cents FROM cart_items i
         JOIN products p ON p.id = i.product_id WHERE i.cart_id = ? ORDER BY i.product_id`,
      )
      .all(cartId)
      .map((r) => ({
        productId: String(r.product_id),
        name: String(r.name),
        quantity: Number(r.quantity),
        price: toAmount(Number(r.price_cents)),
      }));
  }

  /** Add `quantity` of a product (adding to what the cart already holds). */
  addItem(cartId: string, productId: string, quantity: number): 'no-cart' | 'no-product' | CartItem[] {
    if (!this.cartExists(cartId)) return 'no-cart';
    if (!this.getProduct(productId)) return 'no-product';
    this.db
      .prepare(
        `INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (?, ?, ?)
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = quantity + excluded.quantity`,
      )
      .run(cartId, productId, quantity);
    return this.cartItems(cartId);
  }

  /** Freeze the cart's amount into a checkout. */
  createCheckout(
    cartId: string,
    test: boolean,
  ): 'no-cart' | 'empty-cart' | { checkoutId: string; amount: number } {
    const cart = this.db.prepare('SELECT test FROM carts WHERE id = ?').get(cartId);
    if (!cart) return 'no-cart';
    const sum = this.db
      .prepare(
        `SELECT COUNT(*) AS n, COALESCE(SUM(i.quantity * p.price_cents), 0) AS cents FROM cart_items i
         JOIN products p ON p.id = i.product_id WHERE i.cart_id = ?`,
      )
      .get(cartId);
    if (!sum || Number(sum.n) === 0) return 'empty-cart';
    const checkoutId = `chk-${randomUUID()}`;
    const cents = Number(sum.cents);
    this.db
      .prepare('INSERT INTO checkouts (id, cart_id, amount_cents, test, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(checkoutId, cartId, cents, test || Number(cart.test) === 1 ? 1 : 0, now());
    return { checkoutId, amount: toAmount(cents) };
  }

  getCheckout(checkoutId: string): Checkout | undefined {
    const r = this.db
      .prepare(
        `SELECT c.id, c.cart_id, c.amount_cents, c.test, o.id AS order_id FROM checkouts c
         LEFT JOIN orders o ON o.checkout_id = c.id WHERE c.id = ?`,
      )
      .get(checkoutId);
    if (!r) return undefined;
    return {
      checkoutId: String(r.id),
      cartId: String(r.cart_id),
      amountCents: Number(r.amount_cents),
      test: Number(r.test) === 1,
      orderId: r.order_id === null ? undefined : String(r.order_id),
    };
  }

  /** Store a paid order; `duplicate` when the checkout already has one (a concurrent double submit). */
  insertOrder(order: {
    checkoutId: string;
    paymentId: string;
    amountCents: number;
    provider: 'mock' | 'real';
    test: boolean;
  }): { orderId: string } | 'duplicate' {
    const orderId = `ord-${randomUUID()}`;
    const result = this.db
      .prepare(
        `INSERT INTO orders (id, checkout_id, payment_id, amount_cents, provider, test, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (checkout_id) DO NOTHING`,
      )
      .run(
        orderId,
        order.checkoutId,
        order.paymentId,
        order.amountCents,
        order.provider,
        order.test ? 1 : 0,
        now(),
      );
    return Number(result.changes) === 1 ? { orderId } : 'duplicate';
  }

  ordersSummary(): { total: number; test: number } {
    const r = this.db.prepare('SELECT COUNT(*) AS total, COALESCE(SUM(test), 0) AS test FROM orders').get();
    return { total: Number(r?.total ?? 0), test: Number(r?.test ?? 0) };
  }

  /** The cleanup action: remove what load-test traffic created, nothing else. */
  deleteTestData(): { orders: number; checkouts: number; carts: number } {
    return this.tx(() => {
      const orders = Number(this.db.prepare('DELETE FROM orders WHERE test = 1').run().changes);
      const checkouts = Number(this.db.prepare('DELETE FROM checkouts WHERE test = 1').run().changes);
      const carts = Number(this.db.prepare('DELETE FROM carts WHERE test = 1').run().changes); // items cascade
      return { orders, checkouts, carts };
    });
  }

  private tx<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }
}
