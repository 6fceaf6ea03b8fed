import { resourceRoutes } from '../core/resource.routes.js';
import {
  CreateOrderBody,
  OrderListQuery,
  OrderParams,
  OrderSchema,
  PatchOrderBody,
} from './orders.schemas.js';
import { ordersService } from './orders.service.js';

export const orderRoutes = resourceRoutes({
  tag: 'productorders',
  collection: '/v1/facility/:facility_id/productorders',
  idParam: 'order_id',
  schemas: {
    item: OrderSchema,
    params: OrderParams,
    query: OrderListQuery,
    create: CreateOrderBody,
    patch: PatchOrderBody,
  },
  summaries: {
    list: 'List product orders, newest first',
    create: 'Create a product order (total computed here); emits productorder_created',
    get: 'The product order',
    update:
      'Change a product order; emits productorder_updated, or productorder_deleted when cancelled',
    updateDescription:
      'Statuses move received → accepted → ready → completed, or to cancelled; a completed ' +
      'or cancelled order can no longer be changed (422). A delivery needs an address (422).',
    remove: 'Delete a product order; emits productorder_deleted',
  },
  service: ordersService,
});
